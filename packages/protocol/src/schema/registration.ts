/**
 * Certificate registration (module section "registration"): cardholder registration with the CCA
 * and merchant/gateway registration with the MCA/PCA (digest section 4).
 */

import type { Infer } from "../asn1/codec";
import { choice, explicit, implicit, named, optional, sequence } from "../asn1/constructed";
import { enumerated, string } from "../asn1/primitives";
import {
  BIN,
  BrandID,
  Challenge,
  EncryptedMessage,
  EnvelopedMessage,
  Language,
  LocalID,
  MerchantID,
  RRPID,
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
