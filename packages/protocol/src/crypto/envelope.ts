/**
 * E(r, t): SET's plain envelope. The RSA-OAEP block holds only the AES-256 content key, exactly as
 * RFC 5652 key transport does, so `openssl cms -decrypt` opens it.
 */
import { Std } from "../schema/oids";
import { type Decrypter, recipientOf, seal, unseal } from "./envelopedData";
import type { CryptoProvider } from "./provider";

/** E(r, t): envelope DER(t) for the holder of `recipientCertificate`, typed `contentType`. */
export async function E(
  p: CryptoProvider,
  recipientCertificate: Uint8Array,
  contentType: string,
  content: Uint8Array,
): Promise<Uint8Array> {
  const recipient = await recipientOf(p, recipientCertificate);
  return seal(p, recipient, contentType, content, (contentKey) => ({
    algorithm: Std.rsaesOaep,
    block: contentKey,
  }));
}

/** Open E(r, t); returns DER(t). Any failure is the one `decryption failed` error. */
export async function openE(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: Uint8Array,
  options: { contentType: string },
): Promise<Uint8Array> {
  const { plaintext } = await unseal(p, decrypter, msg, options.contentType, Std.rsaesOaep, (block) => block);
  return plaintext;
}
