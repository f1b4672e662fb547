/**
 * The merchant as the receiver of a gateway's answer under one brand, as every receive function
 * of a gateway answer takes it: the brand's key-exchange key that opens the envelope, the trust
 * anchors and revocation data as they stand at this moment, and the extensions it understands.
 */
import type { MerchantContext } from "./context";
import type { BrandConfig } from "./merchantConfig";

export function answerReceiver(ctx: MerchantContext, brand: BrandConfig) {
  return {
    decrypter: brand.decrypter,
    trust: { ...ctx.config.trust, at: ctx.p.now() },
    understoodExtensions: ctx.config.understoodExtensions,
  };
}
