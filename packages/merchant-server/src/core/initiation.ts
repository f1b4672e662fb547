/**
 * The initiation object of an order (docs/purchase-flow.md, "The initiation object"), as this
 * merchant fills it in. Its format, writer and reader are `@setlab/protocol`'s (`Initiation`).
 */
import { type Initiation, initiationFormat } from "@setlab/protocol";
import { acceptedBrands, type MerchantConfig, requiresCardholderCertificate } from "./merchantConfig";
import type { Order } from "./order";

/** `baseUrl` is the merchant's own origin, e.g. `http://127.0.0.1:8401`. */
export function initiationFor(order: Order, config: MerchantConfig, baseUrl: string): Initiation {
  const base = baseUrl.replace(/\/+$/, "");
  const brands = acceptedBrands(config).filter((b) => order.brand === undefined || b === order.brand);
  // The payment listener's minimal status; the order's details are on the admin listener.
  const orderUrl = `${base}/orders/${order.id}/status`;
  return {
    format: initiationFormat,
    setUrl: `${base}/set`,
    ...(order.profile === "embodiment-1" || order.profile === "embodiment-2"
      ? { embodimentUrl: `${base}/set/embodiment` }
      : {}),
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
    returnUrl: `${base}/orders/${order.id}/done`,
    // The mediator has the card sign them; the HOD check here expects exactly these.
    ...(order.terms ? { terms: order.terms } : {}),
  };
}
