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
