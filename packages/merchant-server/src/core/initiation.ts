/**
 * The initiation object (docs/purchase-flow.md, "The initiation object"): what the checkout page
 * hands to the mediator, served as `application/set-payment-initiation`. SET's External Interface
 * Guide that defined its fields is lost; this JSON is the lab's format.
 */
import type { schema } from "@setlab/protocol";
import { acceptedBrands, type MerchantConfig, requiresCardholderCertificate } from "./merchantConfig";
import type { Order } from "./order";

export const initiationFormat = "setlab-initiation/1";

export interface Initiation {
  readonly format: typeof initiationFormat;
  readonly setUrl: string;
  readonly orderUrl: string;
  readonly brands: string[];
  readonly lidM: string;
  readonly purchAmt: schema.CurrencyAmount;
  /** Base64 of the order description (OD). */
  readonly od: string;
  readonly language: string;
  readonly profile: "set" | "hardened";
  /** Brands that accept the unsigned PReq form (cardCertRequired false). */
  readonly unsignedAllowed: string[];
  readonly returnUrl: string;
}

/** `baseUrl` is the merchant's own origin, e.g. `http://127.0.0.1:8401`. */
export function initiationFor(order: Order, config: MerchantConfig, baseUrl: string): Initiation {
  const base = baseUrl.replace(/\/+$/, "");
  const brands = acceptedBrands(config).filter((b) => order.brand === undefined || b === order.brand);
  const orderUrl = `${base}/orders/${order.id}`;
  return {
    format: initiationFormat,
    setUrl: `${base}/set`,
    orderUrl,
    brands,
    lidM: order.lidM,
    purchAmt: { ...order.purchAmt },
    od: Buffer.from(order.description, "utf8").toString("base64"),
    language: "en",
    profile: order.profile ?? "set",
    unsignedAllowed: brands.filter((b) =>
      config.brands.some((c) => c.brandID === b && !requiresCardholderCertificate(c)),
    ),
    returnUrl: `${orderUrl}/done`,
  };
}
