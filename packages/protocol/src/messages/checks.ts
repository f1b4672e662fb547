/** Small comparisons shared by the message checks. */
import { bytesEqual } from "../asn1/tlv";
import { openEnc, type SignedEnvelopeTypes } from "../crypto/enc";
import type { BaggageTypes, OpenedWithBaggage } from "../crypto/encB";
import { type Decrypter, decryptionFailed } from "../crypto/envelopedData";
import { checkL } from "../crypto/linkage";
import type { CryptoProvider } from "../crypto/provider";
import type { VerifiedSignedMessage } from "../crypto/signedMessage";
import { type ErrorCode, SetError } from "../errors";
import type { CertThumb } from "../schema/common";
import { Std } from "../schema/oids";

/** `code` unless `actual` equals `expected` byte for byte. */
export function expectEqual(
  actual: Uint8Array | undefined,
  expected: Uint8Array,
  code: ErrorCode,
  where: string,
) {
  if (actual === undefined || !bytesEqual(actual, new Uint8Array(expected)))
    throw new SetError(code, `${where} is not the expected value`, where);
}

/** Whether a CertThumb (SHA-256 over the TBSCertificate) names the certificate whose thumb is `thumb`. */
export const thumbNames = (certThumb: CertThumb, thumb: Uint8Array) =>
  certThumb.digestAlgorithm.algorithm === Std.sha256 && bytesEqual(certThumb.thumbprint, thumb);

/**
 * Open EncB(s, r, t, b): decrypt, verify the signature, check the baggage linkage. Every failure,
 * the signature's included, is the one generic decryption error: with AES-CBC a flipped
 * ciphertext byte can leave the padding valid and only break the signed bytes, so telling
 * "signature failure" apart from "decryption failed" would be a padding oracle (digest 6 item 6).
 */
export async function openSealed(
  p: CryptoProvider,
  decrypter: Decrypter,
  envelope: Uint8Array,
  baggage: Uint8Array,
  types: BaggageTypes,
): Promise<OpenedWithBaggage> {
  const opened = await openSealedEnc(p, decrypter, envelope, types);
  const content = await checkBaggage(p, opened.content, baggage, types.baggage);
  return { ...opened, content, baggage };
}

/** Open Enc(s, r, t) (no baggage): every failure, the signature's included, is the one generic decryption error. */
export async function openSealedEnc(
  p: CryptoProvider,
  decrypter: Decrypter,
  envelope: Uint8Array,
  types: SignedEnvelopeTypes,
): Promise<VerifiedSignedMessage> {
  try {
    return await openEnc(p, decrypter, envelope, types);
  } catch {
    throw decryptionFailed();
  }
}

/**
 * checkL for a baggage that came beside an envelope: any mismatch is the one generic decryption
 * error, so that a receiver's answer never tells which layer of the compound failed.
 */
export async function checkBaggage(
  p: CryptoProvider,
  linkage: Uint8Array,
  baggage: Uint8Array,
  baggageType: string,
): Promise<Uint8Array> {
  try {
    return await checkL(p, linkage, baggage, baggageType, "EncB.baggage");
  } catch {
    throw decryptionFailed();
  }
}
