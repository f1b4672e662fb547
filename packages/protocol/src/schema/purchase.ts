/**
 * Purchase structures (module section "purchase"): purchase initialization, the dual-signed or
 * unsigned purchase request, the purchase response and the inquiry (digest 2.3, 3.3, 3.4, 3.6).
 *
 * The values the dual signature covers (PIData, PIDataUnsigned, PI-TBS, OIData, HODInput) are
 * never sent as such: they are what the DD digests and SO signatures are computed over, so their
 * DER must be exactly reproducible by cardholder, merchant and gateway.
 */
import type { Infer } from "../asn1/codec";
import { choice, explicit, implicit, named, optional, sequence, sequenceOf } from "../asn1/constructed";
import { enumerated, integer, octets, oid } from "../asn1/primitives";
import { BrandCRLIdentifier } from "./certExtensions";
import {
  BackKeyData,
  BIN,
  BrandID,
  CardExpiry,
  CertThumb,
  Challenge,
  CurrencyAmount,
  DetachedDigest,
  EnvelopedMessage,
  Language,
  LocalID,
  MerchantID,
  MsgExtensions,
  Nonce,
  PAN,
  RRPID,
  SETDate,
  Secret,
  SignedMessage,
  SWIdent,
  Thumbs,
  TransIDs,
  ub,
} from "./common";
import { AcqCardMsg, AuthToken } from "./payment";

export const ubPurchase = {
  /** Order-description extension OIDs listed in OIData (as many as MsgExtensions can hold). */
  odExtOIDs: ub.extensions,
  /** Payloads in one PRes: one per split shipment. */
  pResPayloads: 16,
  /** Credits reported in one PRes payload. */
  credits: 16,
  installments: 999,
  /** Days between recurring authorizations. */
  recurringFrequency: 366,
} as const;

// ------------------------------------------------------------------------------------------
// Purchase initialization

export const PInitReq = named(
  "PInitReq",
  sequence({
    rrpid: RRPID,
    language: Language,
    localID_C: LocalID,
    localID_M: optional(implicit(0, LocalID)),
    chall_C: Challenge,
    brandID: BrandID,
    bin: BIN,
    thumbs: optional(explicit(1, Thumbs)),
    piRqExtensions: optional(implicit(2, MsgExtensions)),
  }),
);
export type PInitReq = Infer<typeof PInitReq>;

export const PInitResData = named(
  "PInitResData",
  sequence({
    transIDs: TransIDs,
    rrpid: RRPID,
    chall_C: Challenge,
    chall_M: Challenge,
    brandCRLIdentifier: optional(explicit(0, BrandCRLIdentifier)),
    /** Thumb of the gateway key-exchange certificate the merchant chose for this brand and BIN. */
    peThumb: explicit(1, CertThumb),
    thumbs: optional(explicit(2, Thumbs)),
    piRsExtensions: optional(implicit(3, MsgExtensions)),
  }),
);
export type PInitResData = Infer<typeof PInitResData>;

/** S{M, PInitResData}. */
export const PInitRes = named("PInitRes", SignedMessage);
export type PInitRes = Infer<typeof PInitRes>;

// ------------------------------------------------------------------------------------------
// Order and payment information

/** HOD: DD{HODInput}, binding order description and amount under a salt. */
export const HOD = named("HOD", DetachedDigest);
export type HOD = Infer<typeof HOD>;

export const Recurring = named(
  "Recurring",
  sequence({
    recurringFrequency: integer({ min: 1, max: ubPurchase.recurringFrequency }),
    recurringExpiry: SETDate,
  }),
);
export type Recurring = Infer<typeof Recurring>;

export const InstallRecurInd = named(
  "InstallRecurInd",
  choice({
    installTotalTrans: implicit(0, integer({ min: 2, max: ubPurchase.installments })),
    recurring: implicit(1, Recurring),
  }),
);
export type InstallRecurInd = Infer<typeof InstallRecurInd>;

/** Installment or recurring terms, agreed with the order and signed with it. */
export const InstallRecurData = named(
  "InstallRecurData",
  sequence({
    installRecurInd: InstallRecurInd,
    irExtensions: optional(implicit(0, MsgExtensions)),
  }),
);
export type InstallRecurData = Infer<typeof InstallRecurData>;

export const HODInput = named(
  "HODInput",
  sequence({
    /** OD: the order description as cardholder and merchant agreed it outside SET. */
    od: octets({ min: 1 }),
    purchAmt: CurrencyAmount,
    odSalt: Nonce,
    installRecurData: optional(implicit(0, InstallRecurData)),
    odExtensions: optional(implicit(1, MsgExtensions)),
  }),
);
export type HODInput = Infer<typeof HODInput>;

/** Order information: what the merchant sees of the purchase request. */
export const OIData = named(
  "OIData",
  sequence({
    transIDs: TransIDs,
    rrpid: RRPID,
    chall_C: Challenge,
    hod: HOD,
    odSalt: Nonce,
    chall_M: optional(implicit(0, Challenge)),
    brandID: BrandID,
    bin: BIN,
    /** The OIDs of HODInput.odExtensions, in the same order, so the merchant can rebuild HOD. */
    odExtOIDs: optional(implicit(1, sequenceOf(oid(), { min: 1, max: ubPurchase.odExtOIDs }))),
    oiExtensions: optional(implicit(2, MsgExtensions)),
  }),
);
export type OIData = Infer<typeof OIData>;

/** HMAC-SHA-256(CardSecret, XID), whole: links the purchase to the card for the issuer. */
export const TransStain = named("TransStain", octets({ size: ub.digest }));
export type TransStain = Infer<typeof TransStain>;

/** Hardened profile: the certificates the cardholder meant, named under the dual signature. */
export const ProfileBinding = named(
  "ProfileBinding",
  sequence({ gatewayThumb: CertThumb, merchantThumb: CertThumb }),
);
export type ProfileBinding = Infer<typeof ProfileBinding>;

export const Inputs = named("Inputs", sequence({ hod: HOD, purchAmt: CurrencyAmount }));
export type Inputs = Infer<typeof Inputs>;

/** Payment instruction head: what the gateway learns of the purchase. */
export const PIHead = named(
  "PIHead",
  sequence({
    transIDs: TransIDs,
    inputs: Inputs,
    /** Must equal the merID in the certificate of the merchant that signs the AuthReq. */
    merchantID: MerchantID,
    installRecurData: optional(implicit(0, InstallRecurData)),
    transStain: TransStain,
    swIdent: SWIdent,
    acqBackKeyData: optional(implicit(1, BackKeyData)),
    piExtensions: optional(implicit(2, MsgExtensions)),
    profileBinding: optional(implicit(3, ProfileBinding)),
  }),
);
export type PIHead = Infer<typeof PIHead>;

// Account data: only ever inside the gateway's (or CA's) RSA-OAEP block.

export const PANData = named(
  "PANData",
  sequence({ pan: PAN, cardExpiry: CardExpiry, panSecret: Secret, exNonce: Nonce }),
);
export type PANData = Infer<typeof PANData>;

export const PANToken = named("PANToken", sequence({ pan: PAN, cardExpiry: CardExpiry, exNonce: Nonce }));
export type PANToken = Infer<typeof PANToken>;

export const PANOnly = named("PANOnly", sequence({ pan: PAN, exNonce: Nonce }));
export type PANOnly = Infer<typeof PANOnly>;

export const PIData = named("PIData", sequence({ piHead: PIHead, panData: PANData }));
export type PIData = Infer<typeof PIData>;

export const PIDataUnsigned = named("PIDataUnsigned", sequence({ piHead: PIHead, panToken: PANToken }));
export type PIDataUnsigned = Infer<typeof PIDataUnsigned>;

/**
 * L{PIHead, OIData} = {PIHead, DD(OIData)}: the t of EX(P, PI-OILink, PANData), so the envelope's
 * symmetric plaintext is Linkage {PI-OILink, DD(PANData)}, PANData riding in the RSA block.
 */
export const PI_OILink = named("PI-OILink", sequence({ piHead: PIHead, hOIData: DetachedDigest }));
export type PI_OILink = Infer<typeof PI_OILink>;

/** What the dual signature signs. */
export const PI_TBS = named("PI-TBS", sequence({ hPIData: DetachedDigest, hOIData: DetachedDigest }));
export type PI_TBS = Infer<typeof PI_TBS>;

/** piSignature = SO{C, PI-TBS}; exPIData = EX{P, PI-OILink, PANData}. */
export const PIDualSigned = named(
  "PIDualSigned",
  sequence({ piSignature: SignedMessage, exPIData: EnvelopedMessage }),
);
export type PIDualSigned = Infer<typeof PIDualSigned>;

/** EXH{P, PI-OILink, PANToken}. */
export const PIUnsigned = named("PIUnsigned", EnvelopedMessage);
export type PIUnsigned = Infer<typeof PIUnsigned>;

export const OIDualSigned = named("OIDualSigned", sequence({ oiData: OIData, hPIData: DetachedDigest }));
export type OIDualSigned = Infer<typeof OIDualSigned>;

export const OIUnsigned = named("OIUnsigned", sequence({ oiData: OIData, hPIDataUnsigned: DetachedDigest }));
export type OIUnsigned = Infer<typeof OIUnsigned>;

export const PReqDualSigned = named(
  "PReqDualSigned",
  sequence({ piDualSigned: PIDualSigned, oiDualSigned: OIDualSigned }),
);
export type PReqDualSigned = Infer<typeof PReqDualSigned>;

export const PReqUnsigned = named(
  "PReqUnsigned",
  sequence({ piUnsigned: PIUnsigned, oiUnsigned: OIUnsigned }),
);
export type PReqUnsigned = Infer<typeof PReqUnsigned>;

export const PReq = named(
  "PReq",
  choice({
    pReqDualSigned: explicit(0, PReqDualSigned),
    pReqUnsigned: explicit(1, PReqUnsigned),
  }),
);
export type PReq = Infer<typeof PReq>;

/** The payment instruction as the gateway receives it in AuthReq's baggage. */
export const PI = named(
  "PI",
  choice({
    piUnsigned: explicit(0, PIUnsigned),
    piDualSigned: explicit(1, PIDualSigned),
    authToken: explicit(2, AuthToken),
  }),
);
export type PI = Infer<typeof PI>;

// ------------------------------------------------------------------------------------------
// Purchase response and inquiry

export const CompletionCode = named(
  "CompletionCode",
  enumerated({
    meaninglessRatio: 0,
    orderRejected: 1,
    orderReceived: 2,
    orderNotReceived: 3,
    authorizationPerformed: 4,
    capturePerformed: 5,
    creditPerformed: 6,
  }),
);
export type CompletionCode = Infer<typeof CompletionCode>;

export const AuthStatus = named("AuthStatus", sequence({ authDate: SETDate, authAmt: CurrencyAmount }));
export type AuthStatus = Infer<typeof AuthStatus>;
export const CapStatus = named("CapStatus", sequence({ capDate: SETDate, capAmt: CurrencyAmount }));
export type CapStatus = Infer<typeof CapStatus>;
export const CredStatus = named("CredStatus", sequence({ creditDate: SETDate, creditAmt: CurrencyAmount }));
export type CredStatus = Infer<typeof CredStatus>;

export const Results = named(
  "Results",
  sequence({
    /** Copied unchanged from the gateway's AuthRes; only the cardholder can open it. */
    acqCardMsg: optional(explicit(0, AcqCardMsg)),
    authStatus: optional(implicit(1, AuthStatus)),
    capStatus: optional(implicit(2, CapStatus)),
    credStatusSeq: optional(implicit(3, sequenceOf(CredStatus, { min: 1, max: ubPurchase.credits }))),
  }),
);
export type Results = Infer<typeof Results>;

export const PResPayload = named(
  "PResPayload",
  sequence({
    completionCode: CompletionCode,
    results: optional(Results),
    pRsExtensions: optional(implicit(0, MsgExtensions)),
  }),
);
export type PResPayload = Infer<typeof PResPayload>;

export const PResData = named(
  "PResData",
  sequence({
    transIDs: TransIDs,
    rrpid: RRPID,
    chall_C: Challenge,
    brandCRLIdentifier: optional(explicit(0, BrandCRLIdentifier)),
    pResPayloadSeq: sequenceOf(PResPayload, { min: 1, max: ubPurchase.pResPayloads }),
  }),
);
export type PResData = Infer<typeof PResData>;

/** S{M, PResData}. */
export const PRes = named("PRes", SignedMessage);
export type PRes = Infer<typeof PRes>;

export const InqReqData = named(
  "InqReqData",
  sequence({
    transIDs: TransIDs,
    rrpid: RRPID,
    /** A fresh challenge the merchant's signed InqRes must echo as chall-C. */
    chall_C2: Challenge,
    inqRqExtensions: optional(implicit(0, MsgExtensions)),
  }),
);
export type InqReqData = Infer<typeof InqReqData>;

/** Signed S{C, InqReqData} (content type SetLab.InqReqData) by a cardholder with a certificate, else InqReqData as is. */
export const InqReq = named(
  "InqReq",
  choice({
    inqReqSigned: explicit(0, SignedMessage),
    inqReqUnsigned: explicit(1, InqReqData),
  }),
);
export type InqReq = Infer<typeof InqReq>;

/** S{M, PResData}: the same content as PRes. */
export const InqRes = named("InqRes", SignedMessage);
export type InqRes = Infer<typeof InqRes>;
