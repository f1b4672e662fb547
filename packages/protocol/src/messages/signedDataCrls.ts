/**
 * The crls field of a SignedData ([1] IMPLICIT, RFC 5652 RevocationInfoChoices): where SET carries
 * the CRLs a recipient needs beside the certificates (digest 1.6). The field lies outside what the
 * signer signs, so adding or removing it leaves the signature intact. The signing and verifying
 * operators leave it alone; these functions put CRLs into a signed message and take them out.
 */
import * as asn1js from "asn1js";
import { compareBytes, concatBytes, context, tlv, universal } from "../asn1/tlv";
import { SetError } from "../errors";

const malformed = () => new SetError("decodingFailure", "not a SignedData ContentInfo", "SignedMessage");

const raw = (n: asn1js.AsnType) => new Uint8Array(n.valueBeforeDecodeView);
/** A constructed node's children; none for a primitive (whose value may be a boolean, a number...). */
const children = (n: asn1js.AsnType | undefined): asn1js.AsnType[] => {
  const value = (n?.valueBlock as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? (value as asn1js.AsnType[]) : [];
};
const isCrls = (n: asn1js.AsnType) => n.idBlock.tagClass === 3 && n.idBlock.tagNumber === 1;

/** The SignedData's fields, each as its DER, and the ContentInfo's contentType DER. */
function fieldsOf(message: Uint8Array): { contentType: Uint8Array; fields: asn1js.AsnType[] } {
  const bytes = new Uint8Array(message);
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(bytes);
  } catch {
    // asn1js throws on some malformed primitives (a UniversalString not a multiple of 4 bytes).
    throw malformed();
  }
  if (parsed.offset !== bytes.length) throw malformed();
  const [contentType, explicit] = children(parsed.result);
  const signedData = children(explicit)[0];
  if (!contentType || !(signedData instanceof asn1js.Sequence)) throw malformed();
  return { contentType: raw(contentType), fields: children(signedData) };
}

function rebuild(contentType: Uint8Array, fields: readonly Uint8Array[]): Uint8Array {
  const signedData = tlv(universal(16), true, concatBytes(fields));
  return tlv(universal(16), true, concatBytes([contentType, tlv(context(0), true, signedData)]));
}

/** The message with `crls` (DER CRLs) as its crls field, in place of any it had; none: no field. */
export function withCrls(message: Uint8Array, crls: readonly Uint8Array[]): Uint8Array {
  const { contentType, fields } = fieldsOf(message);
  const kept = fields.filter((f) => !isCrls(f));
  const out: Uint8Array[] = kept.map(raw);
  // A SET OF: DER orders the elements by their encodings.
  const sorted = [...crls].sort(compareBytes);
  if (sorted.length > 0) out.splice(out.length - 1, 0, tlv(context(1), true, concatBytes(sorted)));
  return rebuild(contentType, out);
}

/** The CRLs the message carries (each element's DER) and the message without its crls field. */
export function takeCrls(message: Uint8Array): { crls: Uint8Array[]; message: Uint8Array } {
  const { contentType, fields } = fieldsOf(message);
  const field = fields.find(isCrls);
  if (!field) return { crls: [], message };
  return {
    crls: children(field).map(raw),
    message: rebuild(contentType, fields.filter((f) => f !== field).map(raw)),
  };
}
