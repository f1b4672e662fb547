/**
 * SET private certificate extensions (id-set-certExt 2.23.42.7.x) and the BrandCRLIdentifier
 * (module section "certificate-extensions"). The values here are the extnValue contents; the
 * X.509 envelope around them is read by `x509.ts` in `src/cert/setCertificate.ts`.
 */

import type { Infer } from "../asn1/codec";
import {
  anyDer,
  captured,
  implicit,
  named,
  optional,
  sequence,
  sequenceOf,
  withDefault,
} from "../asn1/constructed";
import {
  bitString,
  boolean,
  generalizedTime,
  integer,
  namedBits,
  octets,
  oid,
  string,
} from "../asn1/primitives";
import { AlgorithmIdentifier, BIN, BrandID, Language, MerchantID, ub } from "./common";

/** SET role bits, in bit order. DECISION: the digest's [R] order card(0) .. acq(9). */
export const certificateRoles = [
  "card",
  "mer",
  "pgwy",
  "cca",
  "mca",
  "pca",
  "gca",
  "bca",
  "rca",
  "acq",
] as const;
export type CertificateRole = (typeof certificateRoles)[number];

/** certificateType (critical): who holds the certificate. Receivers check the role, not only keyUsage. */
export const CertificateType = named("CertificateType", namedBits(certificateRoles));
export type CertificateType = Infer<typeof CertificateType>;

/** One language's rendering of the merchant's name and address, shown by the wallet. */
export const MerNames = named(
  "MerNames",
  sequence({
    language: optional(implicit(0, Language)),
    name: implicit(1, string("utf8", { min: 1, max: 50 })),
    city: optional(implicit(2, string("utf8", { min: 1, max: 50 }))),
    stateProvince: optional(implicit(3, string("utf8", { min: 1, max: 50 }))),
    postalCode: optional(implicit(4, string("utf8", { min: 1, max: 14 }))),
    countryName: optional(implicit(5, string("utf8", { min: 1, max: 50 }))),
  }),
);
export type MerNames = Infer<typeof MerNames>;

export const MerNameSeq = named("MerNameSeq", sequenceOf(MerNames, { min: 1, max: 32 }));

/**
 * merchantData (non-critical, merchant certificates): merID is what PIHead.MerchantID must equal;
 * merCountry is ISO 3166-1 numeric; merAuthFlag says whether the merchant may request
 * authorizations (DEFAULT TRUE).
 */
export const MerchantData = named(
  "MerchantData",
  sequence({
    merID: MerchantID,
    merAcquirerBIN: BIN,
    merNameSeq: MerNameSeq,
    merCountry: integer({ min: 1, max: 999 }),
    merAuthFlag: withDefault(boolean(), true),
  }),
);
export type MerchantData = Infer<typeof MerchantData>;

/**
 * hashedRootKey (critical, root certificates only): the hash of the NEXT root's public key, so
 * the next root can be trusted from the current one. DECISION: SHA-256 over the DER
 * SubjectPublicKeyInfo of the next root, with the algorithm named beside it (CertThumb shape).
 */
export const HashedRootKey = named(
  "HashedRootKey",
  sequence({ digestAlgorithm: AlgorithmIdentifier, rootKeyHash: octets({ size: ub.digest }) }),
);
export type HashedRootKey = Infer<typeof HashedRootKey>;

/** cardCertRequired (non-critical, gateway certificates): TRUE forbids the unsigned PReq. */
export const CardCertRequired = named("CardCertRequired", boolean());

/** tunneling (non-critical): whether the holder accepts tunnelled extra encryption, and with which algorithms. */
export const Tunneling = named(
  "Tunneling",
  sequence({ tunneling: boolean(), tunnelAlgIDs: sequenceOf(oid(), { min: 1, max: 16 }) }),
);
export type Tunneling = Infer<typeof Tunneling>;

/** setExtensions (non-critical): the message extensions the holder understands. */
export const SETExtensions = named("SETExtensions", sequenceOf(oid(), { min: 1, max: ub.extensions }));

/**
 * One CRL in force. DECISION: named by its issuer (X.501 Name, kept as DER) and CRL number as in
 * SET, plus the CRL's thumb so a verifier can match a cached CRL without parsing it.
 */
export const CRLIdentifier = named(
  "CRLIdentifier",
  sequence({
    issuerName: anyDer(),
    crlNumber: integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    crlThumb: octets({ size: ub.digest }),
  }),
);
export type CRLIdentifier = Infer<typeof CRLIdentifier>;

/**
 * The to-be-signed BrandCRLIdentifier: per brand, the CRLs in force. DECISION (digest 1.6 GAP):
 * a newer sequenceNum supersedes an older one; the signer is named by the thumb of the brand
 * CA's signature certificate (thumbs are how SET names cached objects).
 */
export const UnsignedBrandCRLIdentifier = named(
  "UnsignedBrandCRLIdentifier",
  sequence({
    version: integer({ min: 0, max: 0 }),
    sequenceNum: integer({ min: 0, max: 4294967295 }),
    brandID: BrandID,
    notBefore: generalizedTime(),
    notAfter: generalizedTime(),
    idCRLs: sequenceOf(CRLIdentifier, { min: 0, max: 1024 }),
    brandCAThumb: octets({ size: ub.digest }),
  }),
);
export type UnsignedBrandCRLIdentifier = Infer<typeof UnsignedBrandCRLIdentifier>;

/**
 * DECISION: signed X.509-style (like a certificate or CRL) rather than as a SignedMessage, because
 * SET carries the BCI in the crls field of SignedData next to the CRLs, and its thumb is the hash
 * of the unsigned part exactly as for certificates and CRLs. The unsigned part is kept as its DER
 * bytes so the signature and the thumb are computed over exactly what was received.
 */
export const BrandCRLIdentifier = named(
  "BrandCRLIdentifier",
  sequence({
    unsignedBrandCRLIdentifier: captured(UnsignedBrandCRLIdentifier),
    signatureAlgorithm: AlgorithmIdentifier,
    signature: bitString(),
  }),
);
export type BrandCRLIdentifier = Infer<typeof BrandCRLIdentifier>;
