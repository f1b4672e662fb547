/** The card's PIN reference: a salted SHA-256 digest, compared in constant time. */
import type { CryptoProvider } from "@setlab/protocol";

/** PIN digits the card accepts: 4 to 12 ASCII digits. */
export const PIN_FORMAT = /^[0-9]{4,12}$/;

export async function pinDigest(p: CryptoProvider, salt: Uint8Array, pin: string): Promise<Uint8Array> {
  const input = new Uint8Array(salt.length + pin.length);
  input.set(salt, 0);
  input.set(new TextEncoder().encode(pin), salt.length);
  return new Uint8Array(await p.crypto.subtle.digest("SHA-256", input));
}
