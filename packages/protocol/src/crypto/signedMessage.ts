/**
 * S(s, t) and SO(s, t): CMS SignedData by entity s, with t included (S) or detached (SO, as the
 * dual signature needs). The setct content type is both eContentType and a signed attribute, so a
 * signature made for one SET structure never verifies as another. Checks here are cryptographic
 * only; whether the signer's certificate is acceptable (chain, role, validity) is the caller's
 * business, done with the certificate module.
 *
 * Both directions go through the strict DER codecs of schema/cms.ts and the suite's primitives
 * (node:crypto under Node's provider): no pkijs or asn1js object tree is built per message.
 */
import { type Codec, decodeDer, encodeDer } from "../asn1/codec";
import { octets, oid } from "../asn1/primitives";
import { bytesEqual, tlv, universal } from "../asn1/tlv";
import { SetError } from "../errors";
import { type Attribute, contentInfoOf, SignedAttributes, SignedData } from "../schema/cms";
import { ContentInfo } from "../schema/common";
import { Std } from "../schema/oids";
import { isRsaPkcs1Sha256, isSha256, sha256Algorithm, signatureAlgorithm } from "./algorithms";
import { equalConstantTime } from "./bytes";
import { certificateRef, namedBy, publicKeyIn } from "./certificateRef";
import { H } from "./digest";
import type { CryptoProvider } from "./provider";
import { signRsaSha256, verifyRsaSha256 } from "./suite";

export interface Signer {
  readonly certificate: Uint8Array;
  /** RSASSA-PKCS1-v1_5 SHA-256 signing key matching `certificate`. */
  readonly privateKey: CryptoKey;
  /** Other certificates to send along (the signer's CA chain, in any order: they travel sorted). */
  readonly chain?: readonly Uint8Array[];
}

export interface SignOptions {
  /**
   * Leave the certificates out, for a recipient that already holds them (SET's Thumbs tell the
   * sender which ones). Default: send the signer's certificate and chain.
   */
  readonly omitCertificates?: boolean;
}

export interface VerifyOptions {
  /** The setct OID the caller expects; any other is a signature failure. */
  readonly contentType: string;
  /** Certificates the verifier already holds, searched when the message does not carry the signer's. */
  readonly knownCertificates?: readonly Uint8Array[];
}

export interface VerifiedSignature {
  /** DER of the certificate whose key verified the signature. */
  readonly signerCertificate: Uint8Array;
  /**
   * DER of every certificate the message carried, in DER order (a SET OF): find one by issuer and
   * serial number or by name, never by position.
   */
  readonly certificates: Uint8Array[];
}

export interface VerifiedSignedMessage extends VerifiedSignature {
  /** DER of t, the signed content. */
  readonly content: Uint8Array;
}

const SignedMessage = contentInfoOf(SignedData);
const ObjectIdentifier = oid();
const OctetString = octets();

/** UTCTime through 2049, GeneralizedTime after (RFC 5652 11.3); whole seconds. */
function signingTime(now: Date): Uint8Array {
  const whole = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const digits = `${whole.toISOString().slice(0, 19).replace(/[-:T]/g, "")}Z`; // YYYYMMDDHHMMSSZ
  const year = whole.getUTCFullYear();
  return year >= 1950 && year <= 2049
    ? tlv(universal(23), false, new TextEncoder().encode(digits.slice(2)))
    : tlv(universal(24), false, new TextEncoder().encode(digits));
}

/** The same TLV under another identifier octet: signed attributes are signed as a SET, sent as [0]. */
function retagged(der: Uint8Array, identifier: number): Uint8Array {
  const out = new Uint8Array(der);
  out[0] = identifier;
  return out;
}
const SET_IDENTIFIER = 0x31;
const CONTEXT_0_CONSTRUCTED = 0xa0;

function distinct(certificates: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of certificates) if (!out.some((o) => bytesEqual(o, c))) out.push(c);
  return out;
}

async function sign(
  p: CryptoProvider,
  signer: Signer,
  contentType: string,
  content: Uint8Array,
  detached: boolean,
  options: SignOptions,
): Promise<Uint8Array> {
  const ref = certificateRef(signer.certificate);
  const attrs: Attribute[] = [
    { attrType: Std.contentTypeAttr, attrValues: [encodeDer(ObjectIdentifier, contentType)] },
    { attrType: Std.signingTimeAttr, attrValues: [signingTime(p.now())] },
    { attrType: Std.messageDigestAttr, attrValues: [encodeDer(OctetString, await H(p, content))] },
  ];
  // The SET OF codec writes the attributes in DER order; OpenSSL re-encodes them before
  // verifying, so any other order would not verify there.
  const signedSet = encodeDer(SignedAttributes, attrs);
  const signature = await signRsaSha256(p, signer.privateKey, signedSet);
  return encodeDer(SignedMessage, {
    contentType: Std.signedData,
    content: {
      // version 3: eContentType is not id-data (RFC 5652 5.1)
      version: 3,
      digestAlgorithms: [sha256Algorithm],
      encapContentInfo: { eContentType: contentType, eContent: detached ? undefined : content },
      // The SET OF codec sorts them; a certificate named twice travels once.
      certificates: options.omitCertificates
        ? undefined
        : distinct([signer.certificate, ...(signer.chain ?? [])]),
      signerInfos: [
        {
          version: 1,
          sid: ref.issuerAndSerial,
          digestAlgorithm: sha256Algorithm,
          signedAttrs: retagged(signedSet, CONTEXT_0_CONSTRUCTED),
          signatureAlgorithm,
          signature,
        },
      ],
    },
  });
}

/** S(s, t): SignedData with t included. */
export function S(
  p: CryptoProvider,
  signer: Signer,
  contentType: string,
  content: Uint8Array,
  options: SignOptions = {},
): Promise<Uint8Array> {
  return sign(p, signer, contentType, content, false, options);
}

/** SO(s, t): SignedData with t left out; the verifier must hold t. */
export function SO(
  p: CryptoProvider,
  signer: Signer,
  contentType: string,
  content: Uint8Array,
  options: SignOptions = {},
): Promise<Uint8Array> {
  return sign(p, signer, contentType, content, true, options);
}

const malformed = (message: string) => new SetError("decodingFailure", message, "SignedMessage");
const badSignature = (message: string) => new SetError("signatureFailure", message, "SignedMessage");

/** Read the ContentInfo and its SignedData in one pass; say what it is when it is another CMS type. */
function readSignedData(msg: Uint8Array): SignedData {
  let info: { contentType: string; content: SignedData };
  try {
    info = decodeDer(SignedMessage, msg, "SignedMessage");
  } catch (e) {
    let other: string | undefined;
    try {
      other = decodeDer(ContentInfo, msg).contentType;
    } catch {}
    if (other !== undefined && other !== Std.signedData)
      throw malformed(`content type ${other} is not SignedData`);
    throw e;
  }
  if (info.contentType !== Std.signedData)
    throw malformed(`content type ${info.contentType} is not SignedData`);
  return info.content;
}

/** The one value of the signed attribute `type`; undefined when it is absent or not single-valued. */
function single(attrs: readonly Attribute[], type: string): Uint8Array | undefined {
  const found = attrs.find((a) => a.attrType === type);
  return found?.attrValues.length === 1 ? found.attrValues[0] : undefined;
}

function decodes<T>(codec: Codec<T>, der: Uint8Array | undefined): T | undefined {
  if (der === undefined) return undefined;
  try {
    return decodeDer(codec, der);
  } catch {
    return undefined;
  }
}

/** The certificate the signer identifier names, with its parts. */
function signerAmong(certificates: readonly Uint8Array[], sid: Uint8Array): Uint8Array | undefined {
  for (const der of certificates) if (namedBy(der, sid)) return der;
  return undefined;
}

async function verify(
  p: CryptoProvider,
  msg: Uint8Array,
  detachedContent: Uint8Array | undefined,
  options: VerifyOptions,
): Promise<VerifiedSignedMessage> {
  const signedData = readSignedData(msg);
  if (signedData.signerInfos.length !== 1) throw malformed("a SET signature has exactly one signer");
  const signerInfo = signedData.signerInfos[0];
  const { eContentType, eContent } = signedData.encapContentInfo;
  if (eContentType !== options.contentType)
    throw badSignature(`signed content type ${eContentType}, expected ${options.contentType}`);
  if (detachedContent === undefined && !eContent) throw malformed("S must carry its content");
  if (detachedContent !== undefined && eContent) throw malformed("SO must not carry its content");
  if (!isSha256(signerInfo.digestAlgorithm)) throw badSignature("digest algorithm is not SHA-256");
  // SignedData.digestAlgorithms is outside the signature: it must name exactly the signer's
  // algorithm, so that a changed byte there is refused rather than carried along unnoticed.
  const listed = signedData.digestAlgorithms;
  if (listed.length !== 1 || !isSha256(listed[0]))
    throw badSignature("SignedData.digestAlgorithms must list exactly SHA-256, the signer's algorithm");
  if (!isRsaPkcs1Sha256(signerInfo.signatureAlgorithm))
    throw badSignature(`unsupported signature algorithm ${signerInfo.signatureAlgorithm.algorithm}`);

  // Without signed attributes the signature would cover the content alone and nothing would bind
  // it to the content type; SET always signs them.
  if (!signerInfo.signedAttrs) throw badSignature("no signed attributes");
  const signedSet = retagged(signerInfo.signedAttrs, SET_IDENTIFIER);
  const attrs = decodeDer(SignedAttributes, signedSet, "SignerInfo.signedAttrs");
  const types = new Set(attrs.map((a) => a.attrType));
  if (types.size !== attrs.length) throw badSignature("a signed attribute appears twice");
  if (decodes(ObjectIdentifier, single(attrs, Std.contentTypeAttr)) !== eContentType)
    throw badSignature("the signed contentType attribute does not match the content type");
  const messageDigest = decodes(OctetString, single(attrs, Std.messageDigestAttr));
  if (!messageDigest) throw badSignature("the signed messageDigest attribute is missing or malformed");

  const certificates = signedData.certificates ?? [];
  const signer =
    signerAmong(certificates, signerInfo.sid) ?? signerAmong(options.knownCertificates ?? [], signerInfo.sid);
  if (!signer)
    throw new SetError("missingCertificate", "the signer's certificate is unavailable", "SignedMessage");

  const content = detachedContent ?? (eContent as Uint8Array);
  // Both checks run before either refuses: content that does not match costs what a bad signature
  // costs, so an opener that verifies stand-ins after a decryption failure (the gateway's PI) takes
  // the same time as one whose signature failed.
  const [digestMatches, signatureVerifies] = [
    equalConstantTime(messageDigest, await H(p, content)),
    await verifyRsaSha256(p, publicKeyIn(signer), signedSet, signerInfo.signature),
  ];
  if (!digestMatches) throw badSignature("the signed messageDigest attribute does not match the content");
  if (!signatureVerifies) throw badSignature("signature does not verify");
  return { content: new Uint8Array(content), signerCertificate: signer, certificates };
}

/** Verify S(s, t) for the expected content type; returns t and the signer's certificate. */
export function verifyS(
  p: CryptoProvider,
  msg: Uint8Array,
  options: VerifyOptions,
): Promise<VerifiedSignedMessage> {
  return verify(p, msg, undefined, options);
}

/** Verify SO(s, t) against the caller's copy of t. */
export async function verifySO(
  p: CryptoProvider,
  msg: Uint8Array,
  content: Uint8Array,
  options: VerifyOptions,
): Promise<VerifiedSignature> {
  const { signerCertificate, certificates } = await verify(p, msg, content, options);
  return { signerCertificate, certificates };
}
