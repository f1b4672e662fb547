/**
 * The few fields of a certificate the envelope and signature operators need (issuer, serial
 * number, public key), cut from the DER by the byte reader without interpreting the rest: whether
 * the certificate is acceptable is the certificate module's business, done by the caller.
 */
import { type Node, nodeBytes, nodeChildren, nodeTag, parseOne } from "../asn1/codec";
import { readHeader } from "../asn1/der";
import { bytesEqual, concatBytes, context, tlv, universal } from "../asn1/tlv";
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

const isSequence = (node: Node) => node.tag === SEQUENCE && node.constructed;

/** Whether a[aFrom, aFrom + n) and b[bFrom, bFrom + n) hold the same bytes. */
function rangeEqual(a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[aFrom + i] !== b[bFrom + i]) return false;
  return true;
}

/** Where a certificate's serial number, issuer and SubjectPublicKeyInfo lie in its DER. */
interface InPlace {
  readonly serial: Node;
  readonly issuer: Node;
  readonly spki: Node;
}

/**
 * The TBSCertificate fields the operators need, found by reading headers in place: no copy, no
 * walk of the rest. Throws on bytes whose outline is not a certificate's; what is inside each
 * field was the certificate module's to judge.
 */
function inPlace(certificate: Uint8Array): InPlace {
  const cert = readHeader(certificate, 0, certificate.length, "certificate");
  const tbs = readHeader(certificate, cert.contentStart, cert.end, "certificate");
  if (cert.end !== certificate.length || !isSequence(cert) || !isSequence(tbs)) throw notACertificate();
  const next = (after: Node) => readHeader(certificate, after.end, tbs.end, "certificate");
  let serial = readHeader(certificate, tbs.contentStart, tbs.end, "certificate");
  if (serial.tag === context(0)) serial = next(serial);
  const issuer = next(next(serial)); // after the signature AlgorithmIdentifier
  const spki = next(next(next(issuer))); // after validity and subject
  if (serial.tag !== universal(2) || !isSequence(issuer) || !isSequence(spki)) throw notACertificate();
  return { serial, issuer, spki };
}

/**
 * Whether `certificate` is the one `issuerAndSerial` (a signer or recipient identifier) names:
 * `certificateRef(certificate).issuerAndSerial` equals it. Read in place, copying nothing, so
 * that finding the signer among the certificates a message carries costs a few header reads per
 * certificate rather than a cut of each. Bytes that are not a certificate go through
 * `certificateRef`, so they fail as they always did.
 */
export function namedBy(certificate: Uint8Array, issuerAndSerial: Uint8Array): boolean {
  const known = cut.get(certificate);
  if (known !== undefined) return bytesEqual(known.issuerAndSerial, issuerAndSerial);
  let fields: InPlace;
  let id: Node;
  try {
    fields = inPlace(certificate);
  } catch {
    return bytesEqual(certificateRef(certificate).issuerAndSerial, issuerAndSerial);
  }
  try {
    id = readHeader(issuerAndSerial, 0, issuerAndSerial.length, "IssuerAndSerialNumber");
  } catch {
    return false;
  }
  const { issuer, serial } = fields;
  const issuerLength = issuer.end - issuer.start;
  const serialLength = serial.end - serial.start;
  return (
    isSequence(id) &&
    id.end === issuerAndSerial.length &&
    id.end - id.contentStart === issuerLength + serialLength &&
    rangeEqual(issuerAndSerial, id.contentStart, certificate, issuer.start, issuerLength) &&
    rangeEqual(issuerAndSerial, id.contentStart + issuerLength, certificate, serial.start, serialLength)
  );
}

/**
 * `certificateRef(certificate).spki`, read in place: a view on `certificate` (immutable, as all
 * bytes in the library), with no ref cut or remembered. A verifier that found the signer among a
 * received message's certificates needs only its key, and that message's certificate objects are
 * new each time, so a ref remembered by object would be cut for one use and then dropped. Bytes
 * that are not a certificate go through `certificateRef`, so they fail as they always did.
 */
export function publicKeyIn(certificate: Uint8Array): Uint8Array {
  const known = cut.get(certificate);
  if (known !== undefined) return known.spki;
  let spki: Node;
  try {
    spki = inPlace(certificate).spki;
  } catch {
    return certificateRef(certificate).spki;
  }
  return certificate.subarray(spki.start, spki.end);
}
