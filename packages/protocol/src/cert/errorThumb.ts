/**
 * errorThumb (digest 3.8): a receiver that refuses a certificate, or a signature, names the
 * certificate it refused, so the sender can tell which of its certificates to renew or replace.
 */
import { decodeDer } from "../asn1/codec";
import { namedBy } from "../crypto/certificateRef";
import { namingCertificate, SetError } from "../errors";
import { contentInfoOf, SignedData } from "../schema/cms";
import { sha256 } from "./digest";
import { parseSetCertificate, type SetCertificate } from "./setCertificate";

const parsed = (der: Uint8Array): SetCertificate | undefined => {
  try {
    return parseSetCertificate(der);
  } catch {
    return undefined;
  }
};

/** The thumbprint of a certificate given as DER; undefined when it does not parse. */
export const thumbOfDer = (der: Uint8Array): Uint8Array | undefined => {
  const cert = parsed(der);
  return cert && sha256(cert.tbs);
};

/**
 * A certificate check of `leaf` failed with `e`: name the certificate the failure is about (the
 * one among `leaf` and `others` whose name the error gives, else `leaf` itself).
 */
export function blameCertificate(e: unknown, leaf: Uint8Array, others: readonly Uint8Array[]): unknown {
  if (!(e instanceof SetError) || e.thumb !== undefined) return e;
  const first = parsed(leaf);
  let named: SetCertificate | undefined;
  for (const der of [leaf, ...others]) {
    const cert = parsed(der);
    if (cert && cert.where === e.where) {
      named = cert;
      break;
    }
  }
  const cert = named ?? first;
  return cert ? namingCertificate(e, sha256(cert.tbs)) : e;
}

const SignedMessage = contentInfoOf(SignedData);

/** The thumbprint of the certificate a SignedData's signer identifier names, if it is at hand. */
function signerThumb(signed: Uint8Array, known: readonly Uint8Array[]): Uint8Array | undefined {
  try {
    const data = decodeDer(SignedMessage, signed).content;
    const sid = data.signerInfos[0]?.sid;
    if (!sid) return undefined;
    for (const der of [...(data.certificates ?? []), ...known]) if (namedBy(der, sid)) return thumbOfDer(der);
  } catch {
    // Nothing to name in a message that does not even read.
  }
  return undefined;
}

/** Run a signature verification of `signed`; a signatureFailure names the signer's certificate. */
export async function namingSigner<T>(
  signed: Uint8Array,
  known: readonly Uint8Array[],
  verify: () => Promise<T>,
): Promise<T> {
  try {
    return await verify();
  } catch (e) {
    if (e instanceof SetError && e.code === "signatureFailure")
      throw namingCertificate(e, signerThumb(signed, known));
    throw e;
  }
}
