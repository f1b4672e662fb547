/**
 * Certificate checks take either a bare WebCrypto or a provider carrying one and its pkijs engine
 * (the shape of `CryptoProvider`), so they work inside and outside the operator layer.
 */
import * as pkijs from "pkijs";

export type CryptoSource = Crypto | { readonly crypto: Crypto; readonly engine: pkijs.ICryptoEngine };

export function resolveCrypto(source: CryptoSource): { crypto: Crypto; engine: pkijs.ICryptoEngine } {
  if ("subtle" in source)
    return { crypto: source, engine: new pkijs.CryptoEngine({ name: "cert", crypto: source }) };
  return { crypto: source.crypto, engine: source.engine };
}
