/**
 * S(s, t) and SO(s, t): CMS SignedData by entity s, with t included (S) or detached (SO, as the
 * dual signature needs). The setct content type is both eContentType and a signed attribute, so a
 * signature made for one SET structure never verifies as another. Checks here are cryptographic
 * only; whether the signer's certificate is acceptable (chain, role, validity) is the caller's
 * business, done with the certificate module.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { decodeDer } from "../asn1/codec";
import { compareBytes } from "../asn1/tlv";
import { SetError } from "../errors";
import { ContentInfo } from "../schema/common";
import { Std } from "../schema/oids";
import { own } from "./bytes";
import { type CertificateRef, certificateRef } from "./certificateRef";
import { H } from "./digest";
import type { CryptoProvider } from "./provider";

export interface Signer {
  readonly certificate: Uint8Array;
  /** RSASSA-PKCS1-v1_5 (or RSA-PSS) SHA-256 signing key matching `certificate`. */
  readonly privateKey: CryptoKey;
  /** CA certificates to send along (signer's issuer first). */
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
  /** DER of every certificate the message carried, in message order. */
  readonly certificates: Uint8Array[];
}

export interface VerifiedSignedMessage extends VerifiedSignature {
  /** DER of t, the signed content. */
  readonly content: Uint8Array;
}

/**
 * A certificate pkijs writes back exactly as received. pkijs only needs to emit it in the
 * CertificateSet; a full parse and re-encode per certificate would cost more than the signature.
 */
class RawCertificate extends pkijs.Certificate {
  constructor(private readonly der: Uint8Array) {
    super();
  }
  override toSchema(): asn1js.Sequence {
    return new RawTlv({ data: own(this.der) }) as unknown as asn1js.Sequence;
  }
}

/**
 * Bytes asn1js emits verbatim inside a constructed value. asn1js's own RawData ignores the writer
 * a parent passes, so it could only stand at the top level; parsing each certificate into a tree
 * just to write the same bytes back cost more than the RSA signature.
 */
class RawTlv extends asn1js.RawData {
  override toBER(_sizeOnly?: boolean, writer?: { write(buf: ArrayBuffer): void }): ArrayBuffer {
    const bytes = this.dataView.slice().buffer;
    if (!writer) return bytes;
    writer.write(bytes);
    return new ArrayBuffer(0);
  }
}

const attribute = (type: string, value: asn1js.AsnType) => new pkijs.Attribute({ type, values: [value] });

/** UTCTime through 2049, GeneralizedTime after (RFC 5652 11.3); whole seconds. */
function signingTime(now: Date): asn1js.AsnType {
  const valueDate = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const year = valueDate.getUTCFullYear();
  return year >= 1950 && year <= 2049
    ? new asn1js.UTCTime({ valueDate })
    : new asn1js.GeneralizedTime({ valueDate });
}

/** Signed attributes in DER SET OF order; OpenSSL re-encodes them before verifying, so order matters. */
function derSorted(attrs: pkijs.Attribute[]): pkijs.Attribute[] {
  const keyed = attrs.map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER()) }));
  keyed.sort((x, y) => compareBytes(x.der, y.der));
  return keyed.map((k) => k.a);
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
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: derSorted([
      attribute(Std.contentTypeAttr, new asn1js.ObjectIdentifier({ value: contentType })),
      attribute(Std.signingTimeAttr, signingTime(p.now())),
      attribute(Std.messageDigestAttr, new asn1js.OctetString({ valueHex: await H(p, content) })),
    ]),
  });
  const signedData = new pkijs.SignedData({
    // version 3: eContentType is not id-data (RFC 5652 5.1)
    version: 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: contentType }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: pkijs.IssuerAndSerialNumber.fromBER(new Uint8Array(ref.issuerAndSerial)),
        signedAttrs,
      }),
    ],
    certificates: options.omitCertificates
      ? undefined
      : [signer.certificate, ...(signer.chain ?? [])].map((c) => new RawCertificate(c)),
  });
  // Set after construction: pkijs's constructor would split eContent into a constructed
  // (BER-only) OCTET STRING.
  if (!detached) signedData.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: own(content) });
  await signedData.sign(signer.privateKey, 0, "SHA-256", undefined, p.engine);
  const info = new pkijs.ContentInfo({ contentType: Std.signedData, content: signedData.toSchema() });
  return new Uint8Array(info.toSchema().toBER());
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

const children = (node: asn1js.AsnType | undefined): asn1js.AsnType[] =>
  ((node?.valueBlock as { value?: unknown } | undefined)?.value as asn1js.AsnType[] | undefined) ?? [];

interface ParsedSignedData {
  /** The SignedData without its certificates: pkijs is given only the signer's, once found. */
  readonly signedData: pkijs.SignedData;
  /** The certificates field, element by element, as received. */
  readonly certificates: Uint8Array[];
}

function parseSignedData(msg: Uint8Array): ParsedSignedData {
  const info = decodeDer(ContentInfo, msg, "SignedMessage");
  if (info.contentType !== Std.signedData)
    throw malformed(`content type ${info.contentType} is not SignedData`);
  const parsed = asn1js.fromBER(own(info.content).buffer);
  const fields = children(parsed.result);
  const at = fields.findIndex((c) => c.idBlock.tagClass === 3 && c.idBlock.tagNumber === 0);
  const certificates = at < 0 ? [] : children(fields[at]).map((c) => new Uint8Array(c.valueBeforeDecodeView));
  if (at >= 0) fields.splice(at, 1);
  let signedData: pkijs.SignedData;
  try {
    signedData = new pkijs.SignedData({ schema: parsed.result });
  } catch (e) {
    throw malformed(`not a CMS SignedData (${(e as Error).message})`);
  }
  return { signedData, certificates };
}

/** DER of the signer's IssuerAndSerialNumber, encoded once for comparing with every candidate. */
function signerId(sid: pkijs.SignerInfo["sid"]): Uint8Array | undefined {
  return sid instanceof pkijs.IssuerAndSerialNumber ? new Uint8Array(sid.toSchema().toBER()) : undefined;
}

const sameSigner = (sid: Uint8Array | undefined, ref: CertificateRef) =>
  sid !== undefined && compareBytes(sid, ref.issuerAndSerial) === 0;

async function verify(
  p: CryptoProvider,
  msg: Uint8Array,
  detachedContent: Uint8Array | undefined,
  options: VerifyOptions,
): Promise<VerifiedSignedMessage> {
  const { signedData, certificates } = parseSignedData(msg);
  if (signedData.signerInfos.length !== 1) throw malformed("a SET signature has exactly one signer");
  const signerInfo = signedData.signerInfos[0];
  const eContentType = signedData.encapContentInfo.eContentType;
  if (eContentType !== options.contentType)
    throw badSignature(`signed content type ${eContentType}, expected ${options.contentType}`);
  const eContent = signedData.encapContentInfo.eContent;
  if (detachedContent === undefined && !eContent) throw malformed("S must carry its content");
  if (detachedContent !== undefined && eContent) throw malformed("SO must not carry its content");
  if (signerInfo.digestAlgorithm.algorithmId !== Std.sha256)
    throw badSignature("digest algorithm is not SHA-256");
  // SignedData.digestAlgorithms is outside the signature: it must name exactly the signer's
  // algorithm, so that a changed byte there is refused rather than carried along unnoticed.
  const listed = signedData.digestAlgorithms;
  if (listed.length !== 1 || listed[0].algorithmId !== Std.sha256)
    throw badSignature("SignedData.digestAlgorithms must list exactly SHA-256, the signer's algorithm");

  // pkijs checks that a contentType attribute exists, not what it says.
  const typeAttrs = signerInfo.signedAttrs?.attributes.filter((a) => a.type === Std.contentTypeAttr) ?? [];
  const typeValue = typeAttrs[0]?.values;
  if (
    typeAttrs.length !== 1 ||
    typeValue?.length !== 1 ||
    !(typeValue[0] instanceof asn1js.ObjectIdentifier) ||
    typeValue[0].valueBlock.toString() !== eContentType
  )
    throw badSignature("the signed contentType attribute does not match the content type");

  const sid = signerId(signerInfo.sid);
  const signerDer =
    certificates.find((c) => sameSigner(sid, certificateRef(c))) ??
    options.knownCertificates?.find((c) => sameSigner(sid, certificateRef(c)));
  if (!signerDer)
    throw new SetError("missingCertificate", "the signer's certificate is unavailable", "SignedMessage");
  try {
    signedData.certificates = [pkijs.Certificate.fromBER(own(signerDer))];
  } catch {
    throw malformed("the signer's certificate is not X.509");
  }

  let result: pkijs.SignedDataVerifyResult;
  try {
    result = (await signedData.verify(
      {
        signer: 0,
        data: detachedContent === undefined ? undefined : own(detachedContent).buffer,
        checkChain: false,
        extendedMode: true,
      },
      p.engine,
    )) as pkijs.SignedDataVerifyResult;
  } catch (e) {
    throw badSignature(e instanceof Error ? e.message : "verification failed");
  }
  if (!result.signatureVerified || !result.signerCertificate) throw badSignature("signature does not verify");

  const content = detachedContent ?? new Uint8Array((eContent as asn1js.OctetString).getValue());
  return { content: new Uint8Array(content), signerCertificate: signerDer, certificates };
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
