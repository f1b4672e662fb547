/**
 * Sign-then-encrypt: Enc(s, r, t) = E(r, S(s, t)) and EncK(k, s, t) = EK(k, S(s, t)). The
 * signature is typed with the TBS content type, the envelope with the TBE one (SET's suffixes).
 */
import { EK, openEK } from "./encryptedMessage";
import { E, openE } from "./envelope";
import type { Decrypter } from "./envelopedData";
import { decryptionFailed } from "./envelopedData";
import type { CryptoProvider } from "./provider";
import { S, type Signer, type VerifiedSignedMessage, verifyS } from "./signedMessage";

export interface SignedEnvelopeTypes {
  /** setct OID of the signed content (…TBS). */
  readonly signed: string;
  /** setct OID of the envelope (…TBE). */
  readonly enveloped: string;
}

export interface OpenOptions {
  /** Certificates the recipient already holds, for a signature sent without them. */
  readonly knownCertificates?: readonly Uint8Array[];
}

/**
 * Verify a signature that came out of a decryption. Every failure is reported as the one generic
 * decryption error: a flipped CBC ciphertext byte can leave the padding valid and garble only the
 * inner structure, the signed bytes or a certificate carried inside, so any distinct answer
 * ("decrypted but unparsable", signatureFailure, invalidCertificate) would be a padding oracle.
 * The checks that run after the signature verified (the signer's chain, role, validity,
 * revocation) keep their own codes: the signature proves the bytes they judge were not changed.
 */
export async function verifyDecrypted<T>(verification: Promise<T>): Promise<T> {
  try {
    return await verification;
  } catch {
    throw decryptionFailed();
  }
}

/** Enc(s, r, t) */
export async function Enc(
  p: CryptoProvider,
  signer: Signer,
  recipientCertificate: Uint8Array,
  types: SignedEnvelopeTypes,
  content: Uint8Array,
): Promise<Uint8Array> {
  return E(p, recipientCertificate, types.enveloped, await S(p, signer, types.signed, content));
}

/** EncK(k, s, t) */
export async function EncK(
  p: CryptoProvider,
  key: Uint8Array,
  signer: Signer,
  types: SignedEnvelopeTypes,
  content: Uint8Array,
): Promise<Uint8Array> {
  return EK(p, key, types.enveloped, await S(p, signer, types.signed, content));
}

/**
 * The open of Enc or EncK, by how the envelope opens (openE with a key-exchange key, openEK with a
 * symmetric key): open it, then verify the signed message it held as `verifyDecrypted` says.
 */
const openThenVerify =
  <Key>(
    openEnvelope: (
      p: CryptoProvider,
      key: Key,
      msg: Uint8Array,
      options: { contentType: string },
    ) => Promise<Uint8Array>,
  ) =>
  async (
    p: CryptoProvider,
    key: Key,
    msg: Uint8Array,
    types: SignedEnvelopeTypes,
    options: OpenOptions = {},
  ): Promise<VerifiedSignedMessage> => {
    const signed = await openEnvelope(p, key, msg, { contentType: types.enveloped });
    return verifyDecrypted(verifyS(p, signed, { ...options, contentType: types.signed }));
  };

/** Open Enc(s, r, t): decrypt, then verify the signature; returns t and the signer's certificate. */
export const openEnc = openThenVerify<Decrypter>(openE);

/** Open EncK(k, s, t). */
export const openEncK = openThenVerify<Uint8Array>(openEK);
