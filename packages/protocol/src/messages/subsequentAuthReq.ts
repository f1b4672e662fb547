/**
 * The subsequent form of AuthReq (digest 3.5): EncB(M, P, AuthReqData, PI) whose PI is the
 * AuthToken the gateway gave with an earlier authorization of the same purchase. AuthReqItem
 * carries no CheckDigests (the merchant has no PI to digest); AuthTags name the purchase's
 * TransIDs under a fresh AuthRRPID.
 */
import { encodeDer } from "../asn1/codec";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { AuthReq, AuthReqData, AuthToken } from "../schema/payment";
import { PI } from "../schema/purchase";
import { sealAuthReq } from "./authReq";

export interface SubsequentAuthReqInput {
  readonly merchantID: string;
  readonly authRRPID: Uint8Array;
  /** AuthRRTags.currentDate (whole seconds). */
  readonly date: Date;
  /** The purchase's TransIDs, as the first AuthReq named them. */
  readonly transIDs: TransIDs;
  readonly authReqAmt: CurrencyAmount;
  /** Which payment this is (installments, recurring), counting the first as 1. */
  readonly installRecurSeqNum?: number;
  /** A split shipment with more parts to come: the merchant asks for the next AuthToken. */
  readonly subsequentAuthInd?: boolean;
}

export function subsequentAuthReqData(i: SubsequentAuthReqInput): AuthReqData {
  return {
    authReqItem: {
      authTags: {
        authRRTags: { rrpid: i.authRRPID, merTermIDs: { merchantID: i.merchantID }, currentDate: i.date },
        transIDs: i.transIDs,
      },
      authReqPayload: {
        subsequentAuthInd: i.subsequentAuthInd ?? false,
        authReqAmt: i.authReqAmt,
        requestCardTypeInd: false,
        ...(i.installRecurSeqNum !== undefined ? { installRecurSeqNum: i.installRecurSeqNum } : {}),
      },
    },
    captureNow: false,
  };
}

/** The DER of the PI CHOICE holding an AuthToken: the baggage of a subsequent AuthReq. */
export const authTokenPIDer = (token: AuthToken): Uint8Array =>
  encodeDer(PI, { type: "authToken", value: token });

/** AuthReq = EncB(M, P, AuthReqData, PI{authToken}); `merchant.chain` carries its key-exchange certificate. */
export function sealSubsequentAuthReq(
  p: CryptoProvider,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: AuthReqData,
  token: AuthToken,
): Promise<AuthReq> {
  return sealAuthReq(p, merchant, gatewayKexCertificate, data, authTokenPIDer(token));
}
