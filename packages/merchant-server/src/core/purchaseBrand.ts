/** The configured brand (signature keys, gateway) a purchase was started under. */
import { SetError } from "@setlab/protocol";
import type { MerchantContext } from "./context";
import { type BrandConfig, gatewayFor } from "./merchantConfig";
import type { PurchaseContext } from "./order";

/** The brand entry of what a PInitRes fixed (its BrandID and BIN). */
export function brandOf(ctx: MerchantContext, purchase: PurchaseContext): BrandConfig {
  const brand = gatewayFor(ctx.config, purchase.brandID, purchase.bin);
  if (!brand)
    throw new SetError("unspecifiedFailure", `brand ${purchase.brandID} is no longer configured`, "PReq");
  return brand;
}
