/**
 * BrandCRLIdentifier (digest 1.6): the brand CA's signed list of the CRLs in force under its
 * brand. Signed X.509-style (see the module's DECISION), so signing and verifying mirror a CRL.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { BrandCRLIdentifier, UnsignedBrandCRLIdentifier } from "../schema/certExtensions";
import { CertificateCache } from "./certificateCache";
import { sha256 } from "./digest";
import { issuerSignatureVerifies } from "./issuerSignature";
import { checkCertificateUse } from "./profileChecks";
import type { SetCertificate } from "./setCertificate";

const sha256WithRSAEncryption = "1.2.840.113549.1.1.11";
/** DER NULL: the parameters of sha256WithRSAEncryption. */
const derNull = Uint8Array.of(5, 0);

export interface VerifiedBrandCRLIdentifier {
  readonly content: UnsignedBrandCRLIdentifier;
  /** SHA-256 over the unsigned part: what Thumbs.brlThumbs lists. */
  readonly thumb: Uint8Array;
}

/** Sign `content` with the brand CA's signature key; returns the DER BrandCRLIdentifier. */
export async function signBrandCRLIdentifier(
  p: CryptoProvider,
  content: UnsignedBrandCRLIdentifier,
  brandCaKey: CryptoKey,
): Promise<Uint8Array> {
  const { crypto } = p;
  const unsigned = encodeDer(UnsignedBrandCRLIdentifier, content);
  const signature = new Uint8Array(
    await crypto.subtle.sign("RSASSA-PKCS1-v1_5", brandCaKey, new Uint8Array(unsigned)),
  );
  return encodeDer(BrandCRLIdentifier, {
    unsignedBrandCRLIdentifier: unsigned,
    signatureAlgorithm: { algorithm: sha256WithRSAEncryption, parameters: derNull },
    signature: { bytes: signature, unusedBits: 0 },
  });
}

/** A BCI as read from its DER: the signed envelope, its content, and the bytes signed. */
export interface ParsedBrandCRLIdentifier {
  readonly signed: BrandCRLIdentifier;
  readonly content: UnsignedBrandCRLIdentifier;
  /** The unsigned part's DER: what the signature and the thumb are over. */
  readonly tbs: Uint8Array;
}

/**
 * BCIs read before, by SHA-256 of their DER. A card meets its brand's BCI in every PInitRes and
 * read it three times each (its sequence number twice, then to verify it). Public and immutable,
 * like parsed certificates; failures are not cached.
 */
export const parsedBrandCRLIdentifiers = new CertificateCache<ParsedBrandCRLIdentifier>((der) => {
  const signed = decodeDer(BrandCRLIdentifier, new Uint8Array(der));
  const tbs = signed.unsignedBrandCRLIdentifier;
  return { signed, content: decodeDer(UnsignedBrandCRLIdentifier, tbs), tbs };
}, 64);

/** Read a DER BCI, once per distinct bytes (DecodeError when it is not one). */
export function readBrandCRLIdentifier(der: Uint8Array): ParsedBrandCRLIdentifier {
  return parsedBrandCRLIdentifiers.parse(der);
}

/**
 * Verify a BCI against the brand CA certificate that signed it (validate that certificate's chain
 * separately). Read by the strict codecs of `schema/certExtensions.ts`; the signature is checked
 * as a certificate's is (`issuerSignature.ts`). Refuses a BCI for another brand, signed by another certificate, or outside its
 * validity at `at`.
 */
export async function verifyBrandCRLIdentifier(
  p: CryptoProvider,
  der: Uint8Array,
  brandCa: SetCertificate,
  at: Date,
): Promise<VerifiedBrandCRLIdentifier> {
  const { signed: bci, content } = readBrandCRLIdentifier(der);
  const where = `BrandCRLIdentifier ${content.brandID} #${content.sequenceNum}`;
  checkCertificateUse(brandCa, { role: "bca", use: "certSign" });
  if (!brandCa.keyUsage?.includes("cRLSign"))
    throw new SetError("invalidCertificate", "the brand CA certificate lacks cRLSign", brandCa.where);
  if (!bytesEqual(await brandCa.thumb(), content.brandCAThumb))
    throw new SetError("thumbsMismatch", "brandCAThumb names another certificate", where);
  if (content.brandID !== brandCa.brand)
    throw new SetError("invalidCertificate", `issued for ${content.brandID} by a ${brandCa.brand} CA`, where);
  if (bci.signatureAlgorithm.algorithm !== sha256WithRSAEncryption || bci.signature.unusedBits !== 0)
    throw new SetError("signatureFailure", "signature algorithm not allowed", where);
  const ok = await issuerSignatureVerifies(p, brandCa, bci.signature.bytes, bci.unsignedBrandCRLIdentifier);
  if (!ok) throw new SetError("signatureFailure", "signature does not verify with the brand CA key", where);
  if (at.getTime() < content.notBefore.getTime() || at.getTime() > content.notAfter.getTime())
    throw new SetError("invalidCertificate", "outside its notBefore..notAfter", where);
  return { content, thumb: sha256(bci.unsignedBrandCRLIdentifier) };
}
