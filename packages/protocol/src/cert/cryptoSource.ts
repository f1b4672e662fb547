/**
 * Certificate checks take either a bare WebCrypto or a provider carrying one (the shape of
 * `CryptoProvider`), so they work inside and outside the operator layer.
 */
export type CryptoSource = Crypto | { readonly crypto: Crypto };

export function resolveCrypto(source: CryptoSource): { crypto: Crypto } {
  return "subtle" in source ? { crypto: source } : { crypto: source.crypto };
}
