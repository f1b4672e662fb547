/**
 * The crls field of a SignedData ([1] IMPLICIT, RFC 5652 RevocationInfoChoices): where SET carries
 * the CRLs a recipient needs beside the certificates (digest 1.6). The field lies outside what the
 * signer signs, so adding or removing it leaves the signature intact. The signing and verifying
 * operators leave it alone; these functions put CRLs into a signed message and take them out.
 */
import { type Node, nodeBytes, nodeChildren, nodeTag, parseOne } from "../asn1/codec";
import { compareBytes, concatBytes, context, tlv, universal } from "../asn1/tlv";
import { SetError } from "../errors";

const malformed = () => new SetError("decodingFailure", "not a SignedData ContentInfo", "SignedMessage");

const SEQUENCE = universal(16);
const isCrls = (n: Node) => nodeTag(n) === context(1);

/**
 * The SignedData's fields and the ContentInfo's contentType DER. Only the fields are taken apart;
 * what they hold is for the verifier to judge.
 */
function fieldsOf(message: Uint8Array): { contentType: Uint8Array; fields: readonly Node[] } {
  try {
    const root = parseOne(message, "SignedMessage");
    const [contentType, explicit, ...rest] = nodeChildren(root);
    const signedData = explicit && nodeChildren(explicit)[0];
    if (nodeTag(root) !== SEQUENCE || rest.length > 0 || !contentType || !signedData) throw malformed();
    if (nodeTag(signedData) !== SEQUENCE || nodeChildren(explicit).length !== 1) throw malformed();
    return { contentType: nodeBytes(contentType), fields: nodeChildren(signedData) };
  } catch {
    throw malformed();
  }
}

function rebuild(contentType: Uint8Array, fields: readonly Uint8Array[]): Uint8Array {
  const signedData = tlv(universal(16), true, concatBytes(fields));
  return tlv(universal(16), true, concatBytes([contentType, tlv(context(0), true, signedData)]));
}

/** The message with `crls` (DER CRLs) as its crls field, in place of any it had; none: no field. */
export function withCrls(message: Uint8Array, crls: readonly Uint8Array[]): Uint8Array {
  const { contentType, fields } = fieldsOf(message);
  const out: Uint8Array[] = fields.filter((f) => !isCrls(f)).map(nodeBytes);
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
  const crls = nodeChildren(field).map(nodeBytes);
  // A SET OF in DER order, as withCrls writes it and as the certificates field is read.
  for (let i = 1; i < crls.length; i++)
    if (compareBytes(crls[i - 1], crls[i]) > 0)
      throw new SetError("decodingFailure", "crls are not in DER order", "SignedData.crls");
  return {
    crls,
    message: rebuild(contentType, fields.filter((f) => f !== field).map(nodeBytes)),
  };
}
