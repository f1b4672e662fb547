/**
 * SET thumbprints (digest 1.6): SHA-256 over the to-be-signed DER. Requests list the thumbs of what
 * the requester holds, and single-thumb fields (PEThumb, CAEThumb...) pin one certificate.
 */
import { bytesEqual } from "../asn1/tlv";
import { SetError } from "../errors";
import { type CryptoSource, resolveCrypto } from "./cryptoSource";
import type { SetCertificate } from "./setCertificate";

export function thumbOf(source: CryptoSource, cert: SetCertificate): Promise<Uint8Array> {
  return cert.thumb(resolveCrypto(source).crypto);
}

/** `thumbsMismatch` unless `cert` is the certificate `expected` names. */
export async function checkThumb(
  source: CryptoSource,
  cert: SetCertificate,
  expected: Uint8Array,
  where = "thumb",
): Promise<void> {
  if (!bytesEqual(await thumbOf(source, cert), new Uint8Array(expected)))
    throw new SetError("thumbsMismatch", `${cert.where} is not the certificate the thumb names`, where);
}
