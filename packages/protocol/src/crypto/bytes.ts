/** Byte helpers at the WebCrypto boundary. */

/**
 * An own-realm copy backed by a plain ArrayBuffer: WebCrypto's types demand one, and jest's realms
 * make foreign Uint8Arrays fail `instanceof` checks inside some implementations.
 */
export const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

/** Comparison whose time does not depend on where the first difference is (digests, MACs). */
export function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
