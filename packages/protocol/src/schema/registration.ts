/**
 * Certificate registration (module section "registration"): cardholder registration with the CCA
 * and merchant/gateway registration with the MCA/PCA (digest section 4).
 */

import type { Infer } from "../asn1/codec";
import {
  captured,
  choice,
  explicit,
  implicit,
  named,
  optional,
  sequence,
  sequenceOf,
  withDefault,
} from "../asn1/constructed";
import { bitString, boolean, enumerated, integer, oid, string } from "../asn1/primitives";
import { BrandCRLIdentifier } from "./certExtensions";
import {
  AlgorithmIdentifier,
  BackKeyData,
  BIN,
  BrandID,
  CardExpiry,
  CertThumb,
  Challenge,
  EncryptedMessage,
  EnvelopedMessage,
  Language,
  LocalID,
  MerchantID,
  Nonce,
  PAN,
  RRPID,
  SETDate,
  Secret,
  SignedMessage,
  Thumbs,
} from "./common";

/**
 * RequestType: which certificates the end entity asks for. Cardholders get signature
 * certificates only, so cardInitialEnc(2), cardInitialBoth(3), cardRenewalEnc(11) and
 * cardRenewalBoth(12) are reserved and refused on decode.
 */
export const RequestType = named(
  "RequestType",
  enumerated({
    cardInitialSig: 1,
    merInitialSig: 4,
    merInitialEnc: 5,
    merInitialBoth: 6,
    pgwyInitialSig: 7,
    pgwyInitialEnc: 8,
    pgwyInitialBoth: 9,
    cardRenewalSig: 10,
    merRenewalSig: 13,
    merRenewalEnc: 14,
    merRenewalBoth: 15,
    pgwyRenewalSig: 16,
    pgwyRenewalEnc: 17,
    pgwyRenewalBoth: 18,
  }),
);
export type RequestType = Infer<typeof RequestType>;

export const MerchantAcquirerID = named(
  "MerchantAcquirerID",
  sequence({ merchantBIN: BIN, merchantID: MerchantID }),
);

export const AcquirerBusinessID = named("AcquirerBusinessID", string("visible", { min: 1, max: 32 }));

export const AcquirerID = named(
  "AcquirerID",
  sequence({ acquirerBIN: BIN, acquirerBusinessID: optional(implicit(0, AcquirerBusinessID)) }),
);

/** IDData: how a merchant or acquirer names itself to the MCA/PCA. */
export const IDData = named(
  "IDData",
  choice({
    merchantAcquirerID: implicit(0, MerchantAcquirerID),
    acquirerID: implicit(1, AcquirerID),
  }),
);
export type IDData = Infer<typeof IDData>;

// ------------------------------------------------------------------------------------------
// Messages (alternatives of the Message CHOICE)

/** CardCInitReq: in the clear, so it carries nothing confidential. */
export const CardCInitReq = named(
  "CardCInitReq",
  sequence({
    rrpid: RRPID,
    lid_EE: LocalID,
    chall_EE: Challenge,
    brandID: BrandID,
    thumbs: optional(explicit(0, Thumbs)),
  }),
);
export type CardCInitReq = Infer<typeof CardCInitReq>;

/** CardCInitRes = S(CA, CardCInitResTBS), with the CA's signature and key-exchange certificates. */
export const CardCInitRes = named("CardCInitRes", SignedMessage);

/** Me-AqCInitReq: in the clear, so it carries nothing confidential. */
export const MeAqCInitReq = named(
  "Me-AqCInitReq",
  sequence({
    rrpid: RRPID,
    lid_EE: LocalID,
    chall_EE: Challenge,
    requestType: RequestType,
    idData: IDData,
    brandID: BrandID,
    language: Language,
    thumbs: optional(explicit(2, Thumbs)),
  }),
);
export type MeAqCInitReq = Infer<typeof MeAqCInitReq>;

/** Me-AqCInitRes = S(CA, Me-AqCInitResTBS). */
export const MeAqCInitRes = named("Me-AqCInitRes", SignedMessage);

/** RegFormReq = EXH(CA, RegFormReqData, PANOnly). */
export const RegFormReq = named("RegFormReq", EnvelopedMessage);

/** RegFormRes = S(CA, RegFormResTBS). */
export const RegFormRes = named("RegFormRes", SignedMessage);

/** CertReq = EncX(EE, CA, CertReqData, AcctInfo), or Enc(EE, CA, CertReqData) without account data. */
export const CertReq = named("CertReq", EnvelopedMessage);

/**
 * CertRes: signed by the CA, or EncK under the requester's CABackKeyData when it holds account
 * data the path must not show (the cardholder's NonceCCA).
 */
export const CertRes = named(
  "CertRes",
  choice({
    signedCertRes: explicit(0, SignedMessage),
    encryptedCertRes: explicit(1, EncryptedMessage),
  }),
);
export type CertRes = Infer<typeof CertRes>;

/** CertInqReq = S(EE, CertInqReqTBS): polls a request CertRes reported as pending. */
export const CertInqReq = named("CertInqReq", SignedMessage);

/** CertInqRes: the same forms as CertRes. */
export const CertInqRes = named("CertInqRes", CertRes);

// ------------------------------------------------------------------------------------------
// Inner data: what the signatures and envelopes above carry

/** caeThumb names the CA key-exchange certificate the wallet checks before it sends the PAN. */
export const CardCInitResTBS = named(
  "CardCInitResTBS",
  sequence({
    rrpid: RRPID,
    lid_EE: LocalID,
    chall_EE: Challenge,
    lid_CA: optional(implicit(0, LocalID)),
    caeThumb: explicit(1, CertThumb),
    brandCRLIdentifier: optional(explicit(2, BrandCRLIdentifier)),
    thumbs: optional(explicit(3, Thumbs)),
  }),
);
export type CardCInitResTBS = Infer<typeof CardCInitResTBS>;

const urlString = string("ia5", { min: 1, max: 512 });

/** One field of the CA's registration form. */
export const RegField = named(
  "RegField",
  sequence({
    fieldId: optional(implicit(0, oid())),
    fieldName: string("utf8", { min: 1, max: 128 }),
    fieldDesc: optional(implicit(1, string("utf8", { min: 1, max: 512 }))),
    fieldLen: integer({ min: 1, max: 128 }),
    fieldRequired: withDefault(implicit(2, boolean()), false),
    fieldInvisible: withDefault(implicit(3, boolean()), false),
  }),
);
export type RegField = Infer<typeof RegField>;
export const RegFieldSeq = named("RegFieldSeq", sequenceOf(RegField, { min: 1, max: 64 }));

export const RegFormID = named("RegFormID", integer({ min: 0, max: 2147483647 }));

export const RegTemplate = named(
  "RegTemplate",
  sequence({
    regFormID: RegFormID,
    brandLogoURL: optional(implicit(0, urlString)),
    cardLogoURL: optional(implicit(1, urlString)),
    regFieldSeq: RegFieldSeq,
  }),
);
export type RegTemplate = Infer<typeof RegTemplate>;

export const PolicyText = named("PolicyText", string("utf8", { min: 1, max: 4096 }));

export const RegFormData = named(
  "RegFormData",
  sequence({ regTemplate: optional(implicit(0, RegTemplate)), policy: PolicyText }),
);

/** The CA sends the requester elsewhere (another CA, or the issuer) instead of a form. */
export const ReferralData = named(
  "ReferralData",
  sequence({
    reason: optional(implicit(0, string("utf8", { min: 1, max: 512 }))),
    referralURLSeq: optional(implicit(1, sequenceOf(urlString, { min: 1, max: 8 }))),
  }),
);

export const RegFormOrReferral = named(
  "RegFormOrReferral",
  choice({ regFormData: implicit(0, RegFormData), referralData: implicit(1, ReferralData) }),
);
export type RegFormOrReferral = Infer<typeof RegFormOrReferral>;

/** Merchants and gateways have no RegFormReq round, so the form and Chall-CA come here. */
export const MeAqCInitResTBS = named(
  "Me-AqCInitResTBS",
  sequence({
    rrpid: RRPID,
    lid_EE: LocalID,
    chall_EE: Challenge,
    lid_CA: optional(implicit(0, LocalID)),
    chall_CA: Challenge,
    requestType: RequestType,
    regFormOrReferral: RegFormOrReferral,
    caeThumb: optional(explicit(2, CertThumb)),
    brandCRLIdentifier: optional(explicit(3, BrandCRLIdentifier)),
    thumbs: optional(explicit(4, Thumbs)),
  }),
);
export type MeAqCInitResTBS = Infer<typeof MeAqCInitResTBS>;

/** The symmetric part of RegFormReq = EXH(CA, RegFormReqData, PANOnly). */
export const RegFormReqData = named(
  "RegFormReqData",
  sequence({
    rrpid: RRPID,
    lid_EE: LocalID,
    chall_EE2: Challenge,
    lid_CA: optional(implicit(0, LocalID)),
    requestType: RequestType,
    language: Language,
    caeThumb: explicit(1, CertThumb),
    thumbs: optional(explicit(2, Thumbs)),
  }),
);
export type RegFormReqData = Infer<typeof RegFormReqData>;

export const RegFormResTBS = named(
  "RegFormResTBS",
  sequence({
    rrpid: RRPID,
    lid_EE: LocalID,
    chall_EE2: Challenge,
    lid_CA: optional(implicit(0, LocalID)),
    chall_CA: Challenge,
    caeThumb: optional(explicit(1, CertThumb)),
    requestType: RequestType,
    regFormOrReferral: RegFormOrReferral,
    brandCRLIdentifier: optional(explicit(2, BrandCRLIdentifier)),
    thumbs: optional(explicit(3, Thumbs)),
  }),
);
export type RegFormResTBS = Infer<typeof RegFormResTBS>;

/** One answer of the filled-in form, by field name. */
export const RegFormItem = named(
  "RegFormItem",
  sequence({
    fieldName: string("utf8", { min: 1, max: 128 }),
    fieldValue: string("utf8", { min: 1, max: 128 }),
  }),
);
export const RegForm = named("RegForm", sequenceOf(RegFormItem, { min: 1, max: 64 }));

/** A SubjectPublicKeyInfo, validated in shape and kept as DER for the crypto provider's importKey("spki"). */
const subjectPublicKeyInfo = captured(
  sequence({ algorithm: AlgorithmIdentifier, subjectPublicKey: bitString() }),
);

/**
 * The keys to certify. The module cannot say which must be present; the CA checks it with
 * publicKeysFitRequest and answers rejectedByCA.
 */
export const PublicKeySorE = named(
  "PublicKeySorE",
  sequence({
    publicKeyS: optional(explicit(0, subjectPublicKeyInfo)),
    publicKeyE: optional(explicit(1, subjectPublicKeyInfo)),
  }),
);
export type PublicKeySorE = Infer<typeof PublicKeySorE>;

/**
 * Whether the keys offered are exactly those the request type asks to certify: a signature key
 * for ...Sig, an encryption key for ...Enc, both for ...Both. A spare key would be certified
 * for no purpose the requester declared, so it is refused too.
 */
export function publicKeysFitRequest(keys: PublicKeySorE, requestType: RequestType): boolean {
  const wantS = /(Sig|Both)$/.test(requestType);
  const wantE = /(Enc|Both)$/.test(requestType);
  return (keys.publicKeyS !== undefined) === wantS && (keys.publicKeyE !== undefined) === wantE;
}

/** The signed and encrypted part of CertReq; it is signed with the new key (proof of possession). */
export const CertReqData = named(
  "CertReqData",
  sequence({
    rrpid: RRPID,
    lid_EE: LocalID,
    chall_EE3: Challenge,
    lid_CA: optional(implicit(0, LocalID)),
    chall_CA: optional(implicit(1, Challenge)),
    requestType: RequestType,
    requestDate: SETDate,
    idData: optional(explicit(2, IDData)),
    regFormID: RegFormID,
    regForm: optional(implicit(3, RegForm)),
    caBackKeyData: optional(implicit(4, BackKeyData)),
    publicKeySorE: PublicKeySorE,
    eeThumb: optional(explicit(5, CertThumb)),
    thumbs: optional(explicit(6, Thumbs)),
  }),
);
export type CertReqData = Infer<typeof CertReqData>;

/** The cardholder's account data in CertReq's RSA-OAEP block; cardSecret is SETREF's cardNonce. */
export const PANData0 = named(
  "PANData0",
  sequence({ pan: PAN, cardExpiry: CardExpiry, cardSecret: Secret, exNonce: Nonce }),
);
export type PANData0 = Infer<typeof PANData0>;

/** A merchant's or gateway's account, for CAs that want one. */
export const AcctData = named(
  "AcctData",
  sequence({ acctIdentification: string("visible", { min: 1, max: 128 }), exNonce: Nonce }),
);
export type AcctData = Infer<typeof AcctData>;

/** The extra data p of CertReq = EncX(EE, CA, CertReqData, AcctInfo). */
export const AcctInfo = named(
  "AcctInfo",
  choice({ panData0: explicit(0, PANData0), acctData: explicit(1, AcctData) }),
);
export type AcctInfo = Infer<typeof AcctInfo>;

export const CertStatusCode = named(
  "CertStatusCode",
  enumerated({
    requestComplete: 1,
    invalidLanguage: 2,
    invalidBIN: 3,
    sigValidationFail: 4,
    decryptionError: 5,
    requestInProgress: 6,
    rejectedByIssuer: 7,
    requestPended: 8,
    rejectedByAcquirer: 9,
    regFormAnswerMalformed: 10,
    rejectedByCA: 11,
    unableToEncryptCertRes: 12,
    publicKeyAlreadyCertified: 13,
  }),
);
export type CertStatusCode = Infer<typeof CertStatusCode>;

export const CAMsg = named(
  "CAMsg",
  sequence({
    cardLogoURL: optional(implicit(0, urlString)),
    brandLogoURL: optional(implicit(1, urlString)),
    cardCurrency: optional(implicit(2, integer({ min: 1, max: 999 }))),
    cardholderMsg: optional(implicit(3, string("utf8", { min: 1, max: 512 }))),
  }),
);

/** A refused RegForm answer, by its position in the form. */
export const FailedItem = named(
  "FailedItem",
  sequence({ itemNumber: integer({ min: 0, max: 63 }), itemReason: string("utf8", { min: 1, max: 128 }) }),
);
export const FailedItemSeq = named("FailedItemSeq", sequenceOf(FailedItem, { min: 1, max: 64 }));

/** nonceCCA is present for cardholders: PANSecret = CardSecret XOR NonceCCA. */
export const CertStatus = named(
  "CertStatus",
  sequence({
    certStatusCode: CertStatusCode,
    nonceCCA: optional(implicit(0, Nonce)),
    eeMessage: optional(implicit(1, string("utf8", { min: 1, max: 512 }))),
    caMsg: optional(implicit(2, CAMsg)),
    failedItemSeq: optional(implicit(3, FailedItemSeq)),
  }),
);
export type CertStatus = Infer<typeof CertStatus>;

/** certThumbs names the new certificates (signature, encryption), which travel in the SignedData. */
export const CertResData = named(
  "CertResData",
  sequence({
    rrpid: RRPID,
    lid_EE: LocalID,
    chall_EE3: Challenge,
    lid_CA: LocalID,
    certStatus: CertStatus,
    certThumbs: optional(implicit(0, sequenceOf(CertThumb, { min: 1, max: 2 }))),
    brandCRLIdentifier: optional(explicit(1, BrandCRLIdentifier)),
    thumbs: optional(explicit(2, Thumbs)),
  }),
);
export type CertResData = Infer<typeof CertResData>;

export const CertInqReqTBS = named(
  "CertInqReqTBS",
  sequence({
    rrpid: RRPID,
    lid_EE: LocalID,
    chall_EE3: Challenge,
    lid_CA: optional(implicit(0, LocalID)),
  }),
);
export type CertInqReqTBS = Infer<typeof CertInqReqTBS>;
