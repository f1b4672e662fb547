/** The configured brand (signature keys, gateway) an order's purchase was started under. */
import { SetError } from "@setlab/protocol";
import type { MerchantContext } from "./context";
import { type BrandConfig, gatewayFor } from "./merchantConfig";
import type { Order } from "./order";

export function brandOf(ctx: MerchantContext, order: Order): BrandConfig {
  const purchase = order.purchase!;
  const brand = gatewayFor(ctx.config, purchase.brandID, purchase.bin);
  if (!brand)
    throw new SetError("unspecifiedFailure", `brand ${purchase.brandID} is no longer configured`, "PReq");
  return brand;
}
