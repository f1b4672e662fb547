/**
 * The few fields of a certificate the envelope and signature operators need (issuer, serial
 * number, public key), cut from the DER by the byte reader without interpreting the rest: whether
 * the certificate is acceptable is the certificate module's business, done by the caller.
 */
import { type Node, nodeBytes, nodeChildren, nodeTag, parseOne } from "../asn1/codec";
import { concatBytes, context, tlv, universal } from "../asn1/tlv";
import { SetError } from "../errors";

export interface CertificateRef {
  /** DER of IssuerAndSerialNumber (RFC 5652), as recipient and signer identifiers carry it. */
  readonly issuerAndSerial: Uint8Array;
  /** DER of SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
}

const SEQUENCE = universal(16);
const notACertificate = () => new SetError("invalidCertificate", "not an X.509 certificate", "certificate");

/**
 * Refs already cut, by the certificate's bytes object: a party signs and seals with the same
 * certificate objects for its whole life. Bytes are immutable here, as everywhere in the library.
 */
const cut = new WeakMap<Uint8Array, CertificateRef>();

export function certificateRef(certificate: Uint8Array): CertificateRef {
  let ref = cut.get(certificate);
  if (ref === undefined) {
    ref = cutRef(certificate);
    cut.set(certificate, ref);
  }
  return ref;
}

function cutRef(certificate: Uint8Array): CertificateRef {
  let fields: readonly Node[];
  try {
    const cert = parseOne(certificate, "certificate");
    const tbs = nodeChildren(cert)[0];
    if (nodeTag(cert) !== SEQUENCE || tbs === undefined || nodeTag(tbs) !== SEQUENCE) throw notACertificate();
    fields = nodeChildren(tbs);
  } catch {
    throw notACertificate();
  }
  // TBSCertificate: [0] version (absent in v1), serialNumber, signature, issuer, validity, subject, spki
  const at = fields[0] !== undefined && nodeTag(fields[0]) === context(0) ? 1 : 0;
  const [serial, , issuer, , , spki] = fields.slice(at);
  if (
    !serial ||
    !issuer ||
    !spki ||
    nodeTag(serial) !== universal(2) ||
    nodeTag(issuer) !== SEQUENCE ||
    nodeTag(spki) !== SEQUENCE
  )
    throw notACertificate();
  return {
    issuerAndSerial: tlv(SEQUENCE, true, concatBytes([nodeBytes(issuer), nodeBytes(serial)])),
    spki: nodeBytes(spki),
  };
}
