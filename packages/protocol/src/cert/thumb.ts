/**
 * SET thumbprints (digest 1.6): SHA-256 over the to-be-signed DER. Requests list the thumbs of what
 * the requester holds, and single-thumb fields (PEThumb, CAEThumb...) pin one certificate.
 */
import { bytesEqual } from "../asn1/tlv";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import type { SetCertificate } from "./setCertificate";

export function thumbOf(_p: CryptoProvider, cert: SetCertificate): Promise<Uint8Array> {
  return cert.thumb();
}

/** `thumbsMismatch` unless `cert` is the certificate `expected` names. */
export async function checkThumb(
  p: CryptoProvider,
  cert: SetCertificate,
  expected: Uint8Array,
  where = "thumb",
): Promise<void> {
  if (!bytesEqual(await thumbOf(p, cert), new Uint8Array(expected)))
    throw new SetError("thumbsMismatch", `${cert.where} is not the certificate the thumb names`, where);
}
