/**
 * Payment messages between merchant and gateway (module section "payment"): authorization,
 * capture, credit, their reversals, gateway certificate request and batch administration
 * (digest sections 3.5 and 3.7).
 *
 * SET's compound operators appear as the containers they produce. EncB{s,r,t,b} is a pair: the
 * envelope (which signs and encrypts L(t, b)) and the baggage b in the clear beside it; the
 * receiver recomputes DD(b) and compares it with the digest inside the envelope.
 */

import type { Infer } from "../asn1/codec";
import {
  anyDer,
  choice,
  explicit,
  implicit,
  named,
  optional,
  sequence,
  sequenceOf,
  withDefault,
} from "../asn1/constructed";
import { boolean, enumerated, integer, nullValue, octets, string } from "../asn1/primitives";
import { BrandCRLIdentifier } from "./certExtensions";
import {
  BackKeyData,
  BIN,
  BrandID,
  CertThumb,
  CurrencyAmount,
  DetachedDigest,
  EncryptedMessage,
  EnvelopedMessage,
  MerchantID,
  MsgExtensions,
  RRPID,
  SETDate,
  SignedMessage,
  Thumbs,
  TransIDs,
  ub,
  XID,
} from "./common";

export const ubPayment = {
  /** Authorizations captured, reversed or credited in one request (DECISION). */
  items: 256,
} as const;

// ------------------------------------------------------------------------------------------
// Tokens and baggage (opaque to the merchant)

/**
 * CapToken: gateway-to-gateway state the merchant returns with a capture. Enc or EncX (the latter
 * carries PANToken in its RSA-OAEP block), or empty when the gateway keeps the state itself.
 */
export const CapToken = named(
  "CapToken",
  choice({
    enc: explicit(0, EnvelopedMessage),
    encX: explicit(1, EnvelopedMessage),
    none: implicit(2, nullValue()),
  }),
);
export type CapToken = Infer<typeof CapToken>;

export const CapTokenSeq = named("CapTokenSeq", sequenceOf(CapToken, { min: 1, max: ubPayment.items }));

/** AuthToken: state for a follow-on or recurring authorization, sealed by and for the gateway. */
export const AuthToken = named(
  "AuthToken",
  choice({
    enc: explicit(0, EnvelopedMessage),
    encX: explicit(1, EnvelopedMessage),
  }),
);
export type AuthToken = Infer<typeof AuthToken>;

/** AcqCardMsg: EncK(AcqBackKeyData, P, AcqCardCodeMsg), for the cardholder; the merchant copies it. */
export const AcqCardMsg = named("AcqCardMsg", EncryptedMessage);

export const AuthResBaggage = named(
  "AuthResBaggage",
  sequence({
    capToken: optional(explicit(0, CapToken)),
    acqCardMsg: optional(explicit(1, AcqCardMsg)),
    authToken: optional(explicit(2, AuthToken)),
  }),
);
export type AuthResBaggage = Infer<typeof AuthResBaggage>;

/** The PI comes first: it is an open type whose tag may collide with the optional CapToken's. */
export const AuthRevReqBaggage = named(
  "AuthRevReqBaggage",
  sequence({
    pi: anyDer(),
    capToken: optional(explicit(0, CapToken)),
  }),
);

export const AuthRevResBaggage = named(
  "AuthRevResBaggage",
  sequence({
    capTokenNew: optional(explicit(0, CapToken)),
    authTokenNew: optional(explicit(1, AuthToken)),
  }),
);
export type AuthRevReqBaggage = Infer<typeof AuthRevReqBaggage>;
export type AuthRevResBaggage = Infer<typeof AuthRevResBaggage>;

// ------------------------------------------------------------------------------------------
// Messages (alternatives of the Message CHOICE)

/**
 * AuthReq = EncB(M, P, AuthReqData, PI). The PI (PIDualSigned, PIUnsigned or AuthToken) is kept
 * as its DER so that the merchant forwards the cardholder's bytes unchanged; the gateway decodes
 * it as PI.
 */
export const AuthReq = named(
  "AuthReq",
  sequence({
    authReqEnvelope: EnvelopedMessage,
    pi: anyDer(),
  }),
);
export type AuthReq = Infer<typeof AuthReq>;

/** The EncB pair behind both AuthRes forms (EncBX differs only in its RSA-OAEP block). */
export const AuthResEncB = named(
  "AuthResEncB",
  sequence({
    authResEnvelope: EnvelopedMessage,
    authResBaggage: AuthResBaggage,
  }),
);

/** AuthRes = EncB(P, M, AuthResData, AuthResBaggage), or EncBX(...) returning PANToken to M. */
export const AuthRes = named(
  "AuthRes",
  choice({
    encB: implicit(0, AuthResEncB),
    encBX: implicit(1, AuthResEncB),
  }),
);
export type AuthRes = Infer<typeof AuthRes>;

/** AuthRevReq = EncB(M, P, AuthRevReqData, AuthRevReqBaggage). */
export const AuthRevReq = named(
  "AuthRevReq",
  sequence({
    authRevReqEnvelope: EnvelopedMessage,
    authRevReqBaggage: AuthRevReqBaggage,
  }),
);
export type AuthRevReq = Infer<typeof AuthRevReq>;

/** AuthRevRes = EncB(P, M, AuthRevResData, AuthRevResBaggage). */
export const AuthRevRes = named(
  "AuthRevRes",
  sequence({
    authRevResEnvelope: EnvelopedMessage,
    authRevResBaggage: AuthRevResBaggage,
  }),
);
export type AuthRevRes = Infer<typeof AuthRevRes>;

/** The pair shared by capture, capture reversal, credit and credit reversal requests. */
export const CapEncB = named(
  "CapEncB",
  sequence({
    envelope: EnvelopedMessage,
    capTokenSeq: CapTokenSeq,
  }),
);

const capFamilyRequest = (name: string) =>
  named(name, choice({ encB: implicit(0, CapEncB), encBX: implicit(1, CapEncB) }));

/** CapReq = EncB(M, P, CapReqData, CapTokenSeq), or EncBX(...) with PANToken for P. */
export const CapReq = capFamilyRequest("CapReq");
/** CapRevReq: as CapReq, the envelope holding CapRevOrCredReqData. */
export const CapRevReq = capFamilyRequest("CapRevReq");
/** CredReq: as CapReq, the envelope holding CapRevOrCredReqData. */
export const CredReq = capFamilyRequest("CredReq");
/** CredRevReq: as CapReq, the envelope holding CapRevOrCredReqData. */
export const CredRevReq = capFamilyRequest("CredRevReq");
export type CapReq = Infer<typeof CapReq>;

/** CapRes = Enc(P, M, CapResData). */
export const CapRes = named("CapRes", EnvelopedMessage);
export type CapRes = Infer<typeof CapRes>;
/** CapRevRes = Enc(P, M, CapRevOrCredResData). */
export const CapRevRes = named("CapRevRes", EnvelopedMessage);
/** CredRes = Enc(P, M, CapRevOrCredResData). */
export const CredRes = named("CredRes", EnvelopedMessage);
/** CredRevRes = Enc(P, M, CapRevOrCredResData). */
export const CredRevRes = named("CredRevRes", EnvelopedMessage);

/** PCertReq = S(M, PCertReqData). */
export const PCertReq = named("PCertReq", SignedMessage);
/** PCertRes = S(P, PCertResTBS). */
export const PCertRes = named("PCertRes", SignedMessage);

/** BatchAdminReq = Enc(M, P, BatchAdminReqData). */
export const BatchAdminReq = named("BatchAdminReq", EnvelopedMessage);
export type BatchAdminReq = Infer<typeof BatchAdminReq>;
/** BatchAdminRes = Enc(P, M, BatchAdminResData). */
export const BatchAdminRes = named("BatchAdminRes", EnvelopedMessage);
export type BatchAdminRes = Infer<typeof BatchAdminRes>;

// ------------------------------------------------------------------------------------------
// Tags shared by the merchant <-> gateway requests

const int31 = (min = 0) => integer({ min, max: 2147483647 });

export const MerTermIDs = named(
  "MerTermIDs",
  sequence({
    merchantID: MerchantID,
    terminalID: optional(implicit(0, string("visible", { min: 1, max: ub.terminalID }))),
    agentNum: optional(implicit(1, int31())),
    chainNum: optional(implicit(2, int31())),
    storeNum: optional(implicit(3, int31())),
  }),
);

/** RRTags: the request/response pair id, the merchant's terminal and the date; also AuthRRTags, CapRRTags... */
export const RRTags = named(
  "RRTags",
  sequence({ rrpid: RRPID, merTermIDs: MerTermIDs, currentDate: SETDate }),
);
export type RRTags = Infer<typeof RRTags>;

/** AuthRetNum: the gateway's retrieval number for an authorization. */
export const AuthRetNum = named("AuthRetNum", int31());

export const AuthTags = named(
  "AuthTags",
  sequence({ authRRTags: RRTags, transIDs: TransIDs, authRetNum: optional(AuthRetNum) }),
);
export type AuthTags = Infer<typeof AuthTags>;

/** The merchant's own DD(OIData) and DD(HODInput); the gateway compares them with the PI's. */
export const CheckDigests = named(
  "CheckDigests",
  sequence({ hOIData: DetachedDigest, hOD2: DetachedDigest }),
);
export type CheckDigests = Infer<typeof CheckDigests>;

export const BatchID = named("BatchID", int31());
export const BatchSequenceNum = named("BatchSequenceNum", int31(1));

// ------------------------------------------------------------------------------------------
// Authorization request

/** Address verification data. */
export const AVSData = named(
  "AVSData",
  sequence({
    streetAddress: optional(implicit(0, string("utf8", { min: 1, max: 128 }))),
    city: optional(implicit(1, string("utf8", { min: 1, max: 50 }))),
    stateProvince: optional(implicit(2, string("utf8", { min: 1, max: 50 }))),
    postalCode: optional(implicit(3, string("visible", { min: 1, max: 14 }))),
    countryCode: optional(implicit(4, integer({ min: 1, max: 999 }))),
  }),
);

export const SpecialProcessing = named(
  "SpecialProcessing",
  enumerated({ directMarketing: 0, preferredCustomer: 1, mailOrder: 2, telephoneOrder: 3 }),
);

export const CardSuspect = named(
  "CardSuspect",
  enumerated({ unspecifiedReason: 0, unusualOrder: 1, mismatchedDetails: 2, repeatedDeclines: 3 }),
);

export const AuthReqPayload = named(
  "AuthReqPayload",
  sequence({
    subsequentAuthInd: withDefault(boolean(), false),
    authReqAmt: CurrencyAmount,
    avsData: optional(implicit(0, AVSData)),
    specialProcessing: optional(implicit(1, SpecialProcessing)),
    cardSuspect: optional(implicit(2, CardSuspect)),
    requestCardTypeInd: withDefault(implicit(3, boolean()), false),
    installRecurSeqNum: optional(implicit(4, integer({ min: 1, max: 999 }))),
    recurringRemaining: optional(implicit(5, integer({ min: 0, max: 999 }))),
    aRqExtensions: optional(implicit(6, MsgExtensions)),
  }),
);
export type AuthReqPayload = Infer<typeof AuthReqPayload>;

/** CheckDigests is absent when the PI baggage is an AuthToken (a follow-on authorization). */
export const AuthReqItem = named(
  "AuthReqItem",
  sequence({
    authTags: AuthTags,
    checkDigests: optional(implicit(0, CheckDigests)),
    authReqPayload: AuthReqPayload,
  }),
);
export type AuthReqItem = Infer<typeof AuthReqItem>;

export const PayRecurInd = named(
  "PayRecurInd",
  enumerated({
    unknown: 0,
    singleTransaction: 1,
    recurringTransaction: 2,
    installmentPayment: 3,
    otherMailOrder: 4,
  }),
);

/** Merchant data for settlement. */
export const SaleDetail = named(
  "SaleDetail",
  sequence({
    batchID: optional(implicit(0, BatchID)),
    batchSequenceNum: optional(implicit(1, BatchSequenceNum)),
    payRecurInd: optional(implicit(2, PayRecurInd)),
    merOrderNum: optional(implicit(3, string("visible", { min: 1, max: 25 }))),
    customerReferenceNum: optional(implicit(4, string("visible", { min: 1, max: 17 }))),
    orderSummary: optional(implicit(5, string("utf8", { min: 1, max: 35 }))),
    customerServicePhone: optional(implicit(6, string("visible", { min: 1, max: 20 }))),
    okToPrintPhoneInd: withDefault(implicit(7, boolean()), true),
    saleExtensions: optional(implicit(8, MsgExtensions)),
  }),
);
export type SaleDetail = Infer<typeof SaleDetail>;

/** The data AuthReq's envelope signs and encrypts, linked to the PI baggage: L(AuthReqData, PI). */
export const AuthReqData = named(
  "AuthReqData",
  sequence({
    authReqItem: AuthReqItem,
    mThumbs: optional(explicit(0, Thumbs)),
    captureNow: withDefault(boolean(), false),
    saleDetail: optional(implicit(1, SaleDetail)),
  }),
);
export type AuthReqData = Infer<typeof AuthReqData>;

// ------------------------------------------------------------------------------------------
// Authorization response

/** The issuer's or gateway's decision; a decline is a normal AuthRes, never an Error. */
export const AuthCode = named(
  "AuthCode",
  enumerated({
    approved: 0,
    unspecifiedFailure: 1,
    declined: 2,
    noReply: 3,
    callIssuer: 4,
    amountError: 5,
    expiredCard: 6,
    invalidTransaction: 7,
    systemError: 8,
    piRejected: 9,
    piAuthMismatch: 10,
    merchantMismatch: 11,
    duplicateAuthorization: 12,
    cardCertRequired: 13,
    authTokenRejected: 14,
  }),
);
export type AuthCode = Infer<typeof AuthCode>;

export const AuthValCodes = named(
  "AuthValCodes",
  sequence({
    approvalCode: optional(implicit(0, string("visible", { min: 1, max: 6 }))),
    validationCode: optional(implicit(1, string("visible", { min: 1, max: 4 }))),
  }),
);

/** Who answered: the issuer, or the gateway standing in for it. */
export const RespReason = named(
  "RespReason",
  enumerated({
    issuer: 0,
    standInTimeOut: 1,
    standInFloorLimit: 2,
    standInSuppressInquiries: 3,
    standInIssuerUnavailable: 4,
    standInIssuerRequest: 5,
  }),
);

export const CardType = named(
  "CardType",
  enumerated({
    unavailable: 0,
    classic: 1,
    gold: 2,
    platinum: 3,
    premier: 4,
    debit: 5,
    pinBasedDebit: 6,
    atm: 7,
    chargeCard: 8,
    privateLabel: 9,
    commercial: 10,
  }),
);

export const AVSResult = named(
  "AVSResult",
  enumerated({
    unavailable: 0,
    fullMatch: 1,
    addressOnly: 2,
    postalCodeOnly: 3,
    noMatch: 4,
    notSupported: 5,
  }),
);

export const ResponseData = named(
  "ResponseData",
  sequence({
    authValCodes: optional(implicit(0, AuthValCodes)),
    respReason: optional(implicit(1, RespReason)),
    cardType: optional(implicit(2, CardType)),
    avsResult: optional(implicit(3, AVSResult)),
    logRefID: optional(implicit(4, octets({ min: 1, max: 32 }))),
  }),
);

/** A settlement batch: when it opened and closed, and its totals. */
export const BatchStatus = named(
  "BatchStatus",
  sequence({
    batchID: BatchID,
    openDateTime: SETDate,
    closedDateTime: optional(implicit(0, SETDate)),
    transactionCount: optional(implicit(1, int31())),
    salesAmount: optional(implicit(2, CurrencyAmount)),
    creditAmount: optional(implicit(3, CurrencyAmount)),
  }),
);
export type BatchStatus = Infer<typeof BatchStatus>;
export const BatchStatusSeq = named("BatchStatusSeq", sequenceOf(BatchStatus, { min: 1, max: 16 }));

/** Currency conversion: rate = rateMantissa * 10^rateExp10 (SET's REAL, kept exact for DER). */
export const CurrConv = named(
  "CurrConv",
  sequence({
    rateMantissa: integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    rateExp10: integer({ min: -18, max: 18 }),
    cardCurr: integer({ min: 1, max: 999 }),
  }),
);

export const AuthHeader = named(
  "AuthHeader",
  sequence({
    authAmt: CurrencyAmount,
    authCode: AuthCode,
    responseData: ResponseData,
    batchStatus: optional(implicit(0, BatchStatus)),
    currConv: optional(implicit(1, CurrConv)),
  }),
);
export type AuthHeader = Infer<typeof AuthHeader>;

export const CapCode = named(
  "CapCode",
  enumerated({
    success: 0,
    unspecifiedFailure: 1,
    duplicateRequest: 2,
    authExpired: 3,
    authDataMissing: 4,
    invalidAuthData: 5,
    capTokenMissing: 6,
    invalidCapToken: 7,
    batchUnknown: 8,
    batchClosed: 9,
    unknownXID: 10,
    amountError: 11,
  }),
);
export type CapCode = Infer<typeof CapCode>;

export const CapResPayload = named(
  "CapResPayload",
  sequence({
    capCode: CapCode,
    capAmt: CurrencyAmount,
    batchID: optional(implicit(0, BatchID)),
    batchSequenceNum: optional(implicit(1, BatchSequenceNum)),
    cRsPayExtensions: optional(implicit(2, MsgExtensions)),
  }),
);
export type CapResPayload = Infer<typeof CapResPayload>;

/** capResPayload is present when the request asked for captureNow. */
export const AuthResPayload = named(
  "AuthResPayload",
  sequence({
    authHeader: AuthHeader,
    capResPayload: optional(implicit(0, CapResPayload)),
    aRsExtensions: optional(implicit(1, MsgExtensions)),
  }),
);
export type AuthResPayload = Infer<typeof AuthResPayload>;

/** The data AuthRes's envelope signs and encrypts, linked to the baggage: L(AuthResData, AuthResBaggage). */
export const AuthResData = named(
  "AuthResData",
  sequence({
    authTags: AuthTags,
    brandCRLIdentifier: optional(explicit(0, BrandCRLIdentifier)),
    peThumb: optional(explicit(1, CertThumb)),
    authResPayload: AuthResPayload,
  }),
);
export type AuthResData = Infer<typeof AuthResData>;

// ------------------------------------------------------------------------------------------
// Token contents (sealed by and for the gateway)

/**
 * What an AuthToken carries for the next authorization on the same purchase. installRecurData is
 * the DER of the PIHead's InstallRecurData (purchase section), copied unchanged.
 */
export const AuthTokenData = named(
  "AuthTokenData",
  sequence({
    transIDs: TransIDs,
    purchAmt: CurrencyAmount,
    merchantID: MerchantID,
    acqBackKeyData: optional(implicit(0, BackKeyData)),
    installRecurData: optional(explicit(1, anyDer())),
    recurringCount: optional(implicit(2, integer({ min: 1, max: 999 }))),
    prevAuthDateTime: SETDate,
    totalAuthAmount: CurrencyAmount,
    authTokenOpaque: optional(implicit(3, octets({ min: 1, max: 1024 }))),
  }),
);
export type AuthTokenData = Infer<typeof AuthTokenData>;

export const CapTokenData = named(
  "CapTokenData",
  sequence({ authRRPID: RRPID, authAmt: CurrencyAmount, tokenOpaque: octets({ min: 1, max: 1024 }) }),
);
export type CapTokenData = Infer<typeof CapTokenData>;

/**
 * What this gateway keeps in CapTokenData.tokenOpaque (DECISION): the transaction, the merchant
 * and the gateway's authorization record the token was issued for, so a token presented with
 * another XID or by another merchant is refused.
 */
export const CapTokenOpaque = named(
  "CapTokenOpaque",
  sequence({ xid: XID, merchantID: MerchantID, authRecordID: string("visible", { min: 1, max: 64 }) }),
);
export type CapTokenOpaque = Infer<typeof CapTokenOpaque>;

/**
 * What this gateway keeps in AuthTokenData.authTokenOpaque (DECISION): the authorization whose
 * AuthRes carried the token (the token's identity: an approval spends it, once) and the purchase's
 * first authorization, whose account later ones are held on. The PAN stays in the gateway's ledger.
 */
export const AuthTokenOpaque = named(
  "AuthTokenOpaque",
  sequence({
    authRecordID: string("visible", { min: 1, max: 64 }),
    firstAuthRecordID: string("visible", { min: 1, max: 64 }),
  }),
);
export type AuthTokenOpaque = Infer<typeof AuthTokenOpaque>;

export const AcqCardCode = named(
  "AcqCardCode",
  enumerated({ messageOfDay: 0, accountInfo: 1, callCustomerService: 2 }),
);

/** The gateway's message to the cardholder, sealed in AcqCardMsg under the cardholder's AcqBackKeyData. */
export const AcqCardCodeMsg = named(
  "AcqCardCodeMsg",
  sequence({
    acqCardCode: AcqCardCode,
    acqCardText: optional(implicit(0, string("utf8", { min: 1, max: 512 }))),
    acqCardURL: optional(implicit(1, string("ia5", { min: 1, max: 512 }))),
    acqCardPhone: optional(implicit(2, string("visible", { min: 1, max: 20 }))),
  }),
);

// ------------------------------------------------------------------------------------------
// Authorization reversal

export const AuthRevTags = named(
  "AuthRevTags",
  sequence({ authRevRRTags: RRTags, authRetNum: optional(AuthRetNum) }),
);
export type AuthRevTags = Infer<typeof AuthRevTags>;

/** authNewAmt zero reverses the whole authorization; a smaller amount reduces it. */
export const AuthRevReqData = named(
  "AuthRevReqData",
  sequence({
    authRevTags: AuthRevTags,
    mThumbs: optional(explicit(0, Thumbs)),
    authReqData: AuthReqData,
    authResPayload: AuthResPayload,
    authNewAmt: CurrencyAmount,
    aRvRqExtensions: optional(implicit(1, MsgExtensions)),
  }),
);
export type AuthRevReqData = Infer<typeof AuthRevReqData>;

export const AuthRevCode = named(
  "AuthRevCode",
  enumerated({
    approved: 0,
    unspecifiedFailure: 1,
    declined: 2,
    noReply: 3,
    amountError: 4,
    systemError: 5,
    originalNotFound: 6,
    alreadyCaptured: 7,
    invalidCapToken: 8,
  }),
);
export type AuthRevCode = Infer<typeof AuthRevCode>;

export const AuthRevResData = named(
  "AuthRevResData",
  sequence({
    authRevCode: AuthRevCode,
    authRevTags: AuthRevTags,
    brandCRLIdentifier: optional(explicit(0, BrandCRLIdentifier)),
    peThumb: optional(explicit(1, CertThumb)),
    authNewAmt: CurrencyAmount,
    authResPayloadNew: optional(implicit(2, AuthResPayload)),
    aRvRsExtensions: optional(implicit(3, MsgExtensions)),
  }),
);
export type AuthRevResData = Infer<typeof AuthRevResData>;

// ------------------------------------------------------------------------------------------
// Capture

export const CapPayload = named(
  "CapPayload",
  sequence({
    capDate: SETDate,
    capReqAmt: CurrencyAmount,
    authReqItem: optional(implicit(0, AuthReqItem)),
    authResPayload: optional(implicit(1, AuthResPayload)),
    saleDetail: optional(implicit(2, SaleDetail)),
    cPayExtensions: optional(implicit(3, MsgExtensions)),
  }),
);
export type CapPayload = Infer<typeof CapPayload>;

export const CapItem = named(
  "CapItem",
  sequence({ transIDs: TransIDs, authRRPID: RRPID, capPayload: CapPayload }),
);
export type CapItem = Infer<typeof CapItem>;
export const CapItemSeq = named("CapItemSeq", sequenceOf(CapItem, { min: 1, max: ubPayment.items }));

/** L(CapReqData, CapTokenSeq): one CapToken per CapItem, in the same order. */
export const CapReqData = named(
  "CapReqData",
  sequence({
    capRRTags: RRTags,
    mThumbs: optional(explicit(0, Thumbs)),
    capItemSeq: CapItemSeq,
    cRqExtensions: optional(implicit(1, MsgExtensions)),
  }),
);
export type CapReqData = Infer<typeof CapReqData>;

export const CapResItem = named(
  "CapResItem",
  sequence({ transIDs: TransIDs, authRRPID: RRPID, capResPayload: CapResPayload }),
);
export const CapResItemSeq = named("CapResItemSeq", sequenceOf(CapResItem, { min: 1, max: ubPayment.items }));

export const CapResData = named(
  "CapResData",
  sequence({
    capRRTags: RRTags,
    brandCRLIdentifier: optional(explicit(0, BrandCRLIdentifier)),
    peThumb: optional(explicit(1, CertThumb)),
    batchStatusSeq: optional(implicit(2, BatchStatusSeq)),
    capResItemSeq: CapResItemSeq,
    cRsExtensions: optional(implicit(3, MsgExtensions)),
  }),
);
export type CapResData = Infer<typeof CapResData>;

// ------------------------------------------------------------------------------------------
// Capture reversal, credit, credit reversal: one shape

export const CapRevOrCredReqItem = named(
  "CapRevOrCredReqItem",
  sequence({
    transIDs: TransIDs,
    authRRPID: RRPID,
    capPayload: CapPayload,
    newBatchID: optional(implicit(0, BatchID)),
    capRevOrCredReqDate: SETDate,
    capRevOrCredReqAmt: optional(implicit(1, CurrencyAmount)),
    newAccountInd: withDefault(boolean(), false),
    cRvRqItemExtensions: optional(implicit(2, MsgExtensions)),
  }),
);
export type CapRevOrCredReqItem = Infer<typeof CapRevOrCredReqItem>;
export const CapRevOrCredReqItemSeq = named(
  "CapRevOrCredReqItemSeq",
  sequenceOf(CapRevOrCredReqItem, { min: 1, max: ubPayment.items }),
);

/** The data of CapRevReq, CredReq and CredRevReq; the envelope's content type tells them apart. */
export const CapRevOrCredReqData = named(
  "CapRevOrCredReqData",
  sequence({
    capRevOrCredRRTags: RRTags,
    mThumbs: optional(explicit(0, Thumbs)),
    capRevOrCredReqItemSeq: CapRevOrCredReqItemSeq,
    cRvRqExtensions: optional(implicit(1, MsgExtensions)),
  }),
);
export type CapRevOrCredReqData = Infer<typeof CapRevOrCredReqData>;

export const CapRevOrCredCode = named(
  "CapRevOrCredCode",
  enumerated({
    success: 0,
    unspecifiedFailure: 1,
    duplicateRequest: 2,
    originalProcessed: 3,
    originalNotFound: 4,
    capPurged: 5,
    capDataMismatch: 6,
    missingCapData: 7,
    missingCapToken: 8,
    invalidCapToken: 9,
    batchUnknown: 10,
    batchClosed: 11,
    unknownXID: 12,
    amountError: 13,
  }),
);
export type CapRevOrCredCode = Infer<typeof CapRevOrCredCode>;

export const CapRevOrCredResPayload = named(
  "CapRevOrCredResPayload",
  sequence({
    capRevOrCredCode: CapRevOrCredCode,
    capRevOrCredActualAmt: CurrencyAmount,
    batchID: optional(implicit(0, BatchID)),
    batchSequenceNum: optional(implicit(1, BatchSequenceNum)),
    cRvRsPayExtensions: optional(implicit(2, MsgExtensions)),
  }),
);

export const CapRevOrCredResItem = named(
  "CapRevOrCredResItem",
  sequence({ transIDs: TransIDs, authRRPID: RRPID, capRevOrCredResPayload: CapRevOrCredResPayload }),
);
export const CapRevOrCredResItemSeq = named(
  "CapRevOrCredResItemSeq",
  sequenceOf(CapRevOrCredResItem, { min: 1, max: ubPayment.items }),
);

export const CapRevOrCredResData = named(
  "CapRevOrCredResData",
  sequence({
    capRevOrCredRRTags: RRTags,
    brandCRLIdentifier: optional(explicit(0, BrandCRLIdentifier)),
    peThumb: optional(explicit(1, CertThumb)),
    batchStatusSeq: optional(implicit(2, BatchStatusSeq)),
    capRevOrCredResItemSeq: CapRevOrCredResItemSeq,
    cRvRsExtensions: optional(implicit(3, MsgExtensions)),
  }),
);
export type CapRevOrCredResData = Infer<typeof CapRevOrCredResData>;

// ------------------------------------------------------------------------------------------
// Gateway certificates

/** A brand, and optionally a BIN, for which the merchant wants the gateway's certificates. */
export const BrandAndBIN = named("BrandAndBIN", sequence({ brandID: BrandID, bin: optional(BIN) }));
export const BrandAndBINSeq = named("BrandAndBINSeq", sequenceOf(BrandAndBIN, { min: 1, max: 32 }));

export const PCertReqData = named(
  "PCertReqData",
  sequence({
    pCertRRTags: RRTags,
    mThumbs: optional(explicit(0, Thumbs)),
    brandAndBINSeq: BrandAndBINSeq,
    pCRqExtensions: optional(implicit(1, MsgExtensions)),
  }),
);
export type PCertReqData = Infer<typeof PCertReqData>;

export const PCertCode = named(
  "PCertCode",
  enumerated({ success: 0, unspecifiedFailure: 1, brandNotSupported: 2, unknownBIN: 3 }),
);

/** One result per BrandAndBIN entry, same order; the certificate rides in the SignedData. */
export const PCertResItem = named(
  "PCertResItem",
  sequence({ pCertCode: PCertCode, certThumb: optional(explicit(0, CertThumb)) }),
);
export const PCertResItems = named("PCertResItems", sequenceOf(PCertResItem, { min: 1, max: 32 }));

export const PCertResTBS = named(
  "PCertResTBS",
  sequence({
    pCertRRTags: RRTags,
    pCertResItems: PCertResItems,
    brandCRLIdUpdateSeq: optional(implicit(0, sequenceOf(BrandCRLIdentifier, { min: 1, max: 8 }))),
    pCRsExtensions: optional(implicit(1, MsgExtensions)),
  }),
);
export type PCertResTBS = Infer<typeof PCertResTBS>;

// ------------------------------------------------------------------------------------------
// Batch administration

export const BatchOperation = named("BatchOperation", enumerated({ open: 0, close: 1, query: 2 }));
export type BatchOperation = Infer<typeof BatchOperation>;

export const BatchAdminReqData = named(
  "BatchAdminReqData",
  sequence({
    batchAdminRRTags: RRTags,
    batchID: BatchID,
    batchOperation: BatchOperation,
    bARqExtensions: optional(implicit(0, MsgExtensions)),
  }),
);
export type BatchAdminReqData = Infer<typeof BatchAdminReqData>;

export const BatchAdminCode = named(
  "BatchAdminCode",
  enumerated({ success: 0, unspecifiedFailure: 1, unknownBatch: 2, batchAlreadyOpen: 3, batchClosed: 4 }),
);
export type BatchAdminCode = Infer<typeof BatchAdminCode>;

/**
 * A batch's total for one brand and currency, amounts in the currency's minor units: its sales
 * items (captures, less capture reversals) and its credit items (credits, less credit reversals),
 * each counted and summed. The net the merchant is paid is salesAmount less creditAmount.
 */
export const BatchTotal = named(
  "BatchTotal",
  sequence({
    brandID: BrandID,
    salesCount: int31(),
    salesAmount: CurrencyAmount,
    creditCount: int31(),
    creditAmount: CurrencyAmount,
  }),
);
export type BatchTotal = Infer<typeof BatchTotal>;
export const BatchTotalSeq = named("BatchTotalSeq", sequenceOf(BatchTotal, { min: 1, max: 64 }));

/** batchID 0 in a request names the merchant's open batch; the answer states the batch acted on. */
export const BatchAdminResData = named(
  "BatchAdminResData",
  sequence({
    batchAdminRRTags: RRTags,
    batchID: BatchID,
    batchAdminCode: BatchAdminCode,
    batchStatus: optional(implicit(0, BatchStatus)),
    batchTotals: optional(implicit(1, BatchTotalSeq)),
    bARsExtensions: optional(implicit(2, MsgExtensions)),
  }),
);
export type BatchAdminResData = Infer<typeof BatchAdminResData>;
