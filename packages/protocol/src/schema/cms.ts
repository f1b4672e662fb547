/**
 * The CMS structures (RFC 5652) under SET's operators, in the profile SET Lab writes and accepts:
 * SignedData with one issuerAndSerialNumber signer and signed attributes (S, SO), EnvelopedData
 * with key-transport recipients (E, EH, EX, EXH and the compounds), EncryptedData (EK).
 *
 * The crypto operators read and write these with the strict DER codecs instead of pkijs object
 * trees (docs/decisions.md, "CMS on the byte reader and node:crypto"). Parts a signature or a
 * comparison covers byte for byte (the signed attributes, the signer and recipient identifiers,
 * the certificates) are checked for their shape and kept as their exact DER.
 *
 * SignedData's certificates and crls fields are SET OF (RFC 5652 5.1), so DER writes them sorted
 * by their encodings and the reader refuses any other order (OpenSSL's encoder sorts them too). No
 * position means anything: whoever needs the signer or a chain finds it by issuer and serial
 * number or by name (crypto/signedMessage.ts, cert/chain.ts).
 */
import { type Codec, codecOf, fail, type Infer, kept, nodeBytes, nodeContent, nodeTag } from "../asn1/codec";
import { anyDer, captured, explicit, implicit, named, optional, sequence, setOf } from "../asn1/constructed";
import { integer, octets, oid } from "../asn1/primitives";
import { describeTag, isSingleTlv, type TagKey, tagNumberOf, universal } from "../asn1/tlv";
import { SetError } from "../errors";
import { AlgorithmIdentifier } from "./common";

/**
 * One whole constructed value with tag `tag` (a certificate, a CRL, a Name), kept as its bytes.
 * Its inside is the business of whoever uses it (the certificate module); here only the TLV.
 */
function rawConstructed(tag: TagKey): Codec<Uint8Array> {
  const first = 0x20 | tagNumberOf(tag); // universal class, constructed
  return codecOf<Uint8Array>({
    tags: [tag],
    spec: { kind: "any" },
    write(w, value) {
      if (!isSingleTlv(value) || value[0] !== first)
        throw new SetError("unspecifiedFailure", `cannot encode: not one DER ${describeTag(tag)}`);
      w.bytes(value);
    },
    decode(node, path) {
      const bytes = nodeBytes(node);
      if (nodeTag(node) !== tag || bytes[0] !== first)
        fail(path, `expected a constructed ${describeTag(tag)}, found ${describeTag(nodeTag(node))}`);
      return bytes;
    },
  });
}

const Sequence = rawConstructed(universal(16));

/**
 * CertificateSerialNumber: an INTEGER of up to 20 octets (RFC 5280 4.1.2.2), too large for a
 * JavaScript number, so kept as its content octets; minimal encoding is checked.
 */
const CertificateSerialNumber: Codec<Uint8Array> = codecOf({
  tags: [universal(2)],
  spec: { kind: "octets", min: 1, max: 21 },
  write(w, content) {
    w.bytes(content);
    w.header(universal(2), false, content.length);
  },
  decode(node, path) {
    if (nodeTag(node) !== universal(2) || node.buf[node.start] !== 0x02)
      fail(path, `expected INTEGER, found ${describeTag(nodeTag(node))}`);
    const c = nodeContent(node);
    // 21: twenty octets of magnitude and the 00 that keeps a high bit positive
    if (c.length === 0 || c.length > 21) fail(path, "serial number outside 1..20 octets");
    if (c.length > 1 && ((c[0] === 0 && c[1] < 0x80) || (c[0] === 0xff && c[1] >= 0x80)))
      fail(path, "INTEGER not minimally encoded");
    return kept(node, c);
  },
});

/**
 * IssuerAndSerialNumber, kept as its DER: signer and recipient identifiers are matched byte for
 * byte against the one cut from a certificate. The issuer Name is read only as a SEQUENCE; it
 * was the certificate's to be strict about.
 */
export const IssuerAndSerialNumber = named(
  "IssuerAndSerialNumber",
  captured(sequence({ issuer: Sequence, serialNumber: CertificateSerialNumber })),
);

export const Attribute = named(
  "Attribute",
  sequence({ attrType: oid(), attrValues: setOf(anyDer(), { min: 1 }) }),
);
export type Attribute = Infer<typeof Attribute>;

/**
 * SignedAttributes as the signature sees them: a SET OF in DER order. In a SignerInfo the same
 * bytes stand re-tagged [0] IMPLICIT, and are kept exactly as received there: the signature is
 * over them in this universal SET form (RFC 5652 5.4).
 */
export const SignedAttributes = named("SignedAttributes", setOf(Attribute, { min: 1 }));

/** SignerInfo v1: the signer named by issuer and serial number, as SET always does. */
export const SignerInfo = named(
  "SignerInfo",
  sequence({
    version: integer({ min: 1, max: 1 }),
    sid: IssuerAndSerialNumber,
    digestAlgorithm: AlgorithmIdentifier,
    signedAttrs: optional(captured(implicit(0, SignedAttributes))),
    signatureAlgorithm: AlgorithmIdentifier,
    signature: octets({ min: 1 }),
  }),
);
export type SignerInfo = Infer<typeof SignerInfo>;

export const EncapsulatedContentInfo = named(
  "EncapsulatedContentInfo",
  sequence({ eContentType: oid(), eContent: optional(explicit(0, octets())) }),
);

/**
 * SignedData v3: the eContentType is a setct OID, never id-data, and only X.509 certificates
 * and CRLs ride along (RFC 5652 5.1 then fixes the version at 3).
 */
export const SignedData = named(
  "SignedData",
  sequence({
    version: integer({ min: 3, max: 3 }),
    digestAlgorithms: setOf(AlgorithmIdentifier),
    encapContentInfo: EncapsulatedContentInfo,
    certificates: optional(implicit(0, setOf(Sequence))),
    crls: optional(implicit(1, setOf(Sequence))),
    signerInfos: setOf(SignerInfo),
  }),
);
export type SignedData = Infer<typeof SignedData>;

/** KeyTransRecipientInfo v0 (recipient named by issuer and serial number). */
export const KeyTransRecipientInfo = named(
  "KeyTransRecipientInfo",
  sequence({
    version: integer({ min: 0, max: 0 }),
    rid: IssuerAndSerialNumber,
    keyEncryptionAlgorithm: AlgorithmIdentifier,
    encryptedKey: octets({ min: 1 }),
  }),
);
export type KeyTransRecipientInfo = Infer<typeof KeyTransRecipientInfo>;

export const EncryptedContentInfo = named(
  "EncryptedContentInfo",
  sequence({
    contentType: oid(),
    contentEncryptionAlgorithm: AlgorithmIdentifier,
    encryptedContent: optional(implicit(0, octets())),
  }),
);
export type EncryptedContentInfo = Infer<typeof EncryptedContentInfo>;

/**
 * EnvelopedData v0: key-transport recipients only, no originatorInfo, no unprotectedAttrs
 * (RFC 5652 6.1 then fixes the version at 0).
 */
export const EnvelopedData = named(
  "EnvelopedData",
  sequence({
    version: integer({ min: 0, max: 0 }),
    recipientInfos: setOf(KeyTransRecipientInfo, { min: 1 }),
    encryptedContentInfo: EncryptedContentInfo,
  }),
);
export type EnvelopedData = Infer<typeof EnvelopedData>;

/** EncryptedData v0: no unprotectedAttrs (RFC 5652 8). */
export const EncryptedData = named(
  "EncryptedData",
  sequence({ version: integer({ min: 0, max: 0 }), encryptedContentInfo: EncryptedContentInfo }),
);
export type EncryptedData = Infer<typeof EncryptedData>;

/** ContentInfo whose content is read with `content` in the same pass. */
export const contentInfoOf = <T>(content: Codec<T>) =>
  sequence({ contentType: oid(), content: explicit(0, content) });
