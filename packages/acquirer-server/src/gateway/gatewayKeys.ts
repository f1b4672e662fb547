/**
 * The gateway's keys, one set per brand it serves: a signature key (AuthRes, signed Errors) and a
 * key-exchange key (the AuthReq envelope and the PI's EX block). An AuthReq names the key it was
 * sealed to in its RecipientInfo (issuer and serial number of our key-exchange certificate); that
 * choice also tells which brand the request is for.
 */
import {
  bytesEqual,
  concatBytes,
  type Decrypter,
  decryptionFailed,
  nodeBytes,
  nodeChildren,
  nodeTag,
  parseOne,
  type Signer,
  tlv,
  universal,
} from "@setlab/protocol";

export interface GatewayBrandKeys {
  /** BrandID, as the certificates' subject O= carries it. */
  readonly brand: string;
  readonly signer: Signer;
  readonly decrypter: Decrypter;
}

const SEQUENCE = universal(16);
const SET = universal(17);

/** DER IssuerAndSerialNumber of a certificate: what a KeyTransRecipientInfo names it by. */
export function issuerAndSerialOf(certificate: Uint8Array): Uint8Array {
  const tbs = nodeChildren(nodeChildren(parseOne(certificate, "Certificate"))[0]);
  const at = nodeTag(tbs[0]) === universal(2) ? 0 : 1; // [0] version present in v3
  const serial = nodeBytes(tbs[at]);
  const issuer = nodeBytes(tbs[at + 2]);
  return tlv(SEQUENCE, true, concatBytes([issuer, serial]));
}

/** The IssuerAndSerialNumber recipient ids an EnvelopedMessage (ContentInfo) lists. */
function recipientIds(envelope: Uint8Array): Uint8Array[] {
  const contentInfo = nodeChildren(parseOne(envelope, "EnvelopedMessage"));
  const envelopedData = nodeChildren(nodeChildren(contentInfo[1])[0]);
  const recipientInfos = envelopedData.find((n) => nodeTag(n) === SET);
  if (!recipientInfos) return [];
  return nodeChildren(recipientInfos)
    .filter((ri) => nodeTag(ri) === SEQUENCE)
    .map((ri) => nodeChildren(ri)[1])
    .filter((rid) => rid !== undefined && nodeTag(rid) === SEQUENCE)
    .map((rid) => nodeBytes(rid));
}

/**
 * The brand keys whose key-exchange certificate the envelope was sealed to. Anything else (an
 * unreadable envelope, another recipient) is the one generic decryption failure.
 */
export function keysForEnvelope(envelope: Uint8Array, keys: readonly GatewayBrandKeys[]): GatewayBrandKeys {
  let ids: Uint8Array[];
  try {
    ids = recipientIds(new Uint8Array(envelope));
  } catch {
    throw decryptionFailed();
  }
  const found = keys.find((k) => {
    const ours = issuerAndSerialOf(k.decrypter.certificate);
    return ids.some((id) => bytesEqual(id, ours));
  });
  if (!found) throw decryptionFailed();
  return found;
}
