/**
 * The few fields of a certificate the envelope and signature operators need (issuer, serial
 * number, public key), cut from the DER with a bare TLV parse. A full pkijs Certificate parse costs
 * several times more and is only done where pkijs needs the object itself (SignedData).
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { concatBytes, tlv, universal } from "../asn1/tlv";
import { SetError } from "../errors";

export interface CertificateRef {
  /** DER of IssuerAndSerialNumber (RFC 5652), as recipient and signer identifiers carry it. */
  readonly issuerAndSerial: Uint8Array;
  /** DER of SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
}

const raw = (node: asn1js.AsnType) => new Uint8Array(node.valueBeforeDecodeView);

export function certificateRef(certificate: Uint8Array): CertificateRef {
  const parsed = asn1js.fromBER(new Uint8Array(certificate).buffer);
  const tbs = (parsed.result.valueBlock as { value?: asn1js.AsnType[] }).value?.[0];
  const fields = (tbs?.valueBlock as { value?: asn1js.AsnType[] } | undefined)?.value ?? [];
  // TBSCertificate: [0] version (absent in v1), serialNumber, signature, issuer, validity, subject, spki
  const at = fields[0]?.idBlock.tagClass === 3 ? 1 : 0;
  const [serial, , issuer, , , spki] = fields.slice(at);
  if (parsed.offset === -1 || !serial || !issuer || !spki || serial.idBlock.tagNumber !== 2)
    throw new SetError("invalidCertificate", "not an X.509 certificate", "certificate");
  return {
    issuerAndSerial: tlv(universal(16), true, concatBytes([raw(issuer), raw(serial)])),
    spki: raw(spki),
  };
}

export const issuerAndSerialNumber = (ref: CertificateRef) =>
  pkijs.IssuerAndSerialNumber.fromBER(new Uint8Array(ref.issuerAndSerial));
