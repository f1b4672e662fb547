/**
 * The subsequent form of AuthReq: its PI baggage is an AuthToken the gateway issued earlier for
 * the same purchase, not the cardholder's PI (digest 3.5). What the token binds is judged here;
 * what SET answers with an AuthCode comes back as a refusal.
 */
import { encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { TransIDs } from "../schema/common";
import type { AuthToken, AuthTokenData, AuthTokenOpaque } from "../schema/payment";
import type { InstallRecurData } from "../schema/purchase";
import type { OpenedAuthReq } from "./authReq";
import { type AuthTokenKeys, openAuthToken } from "./authToken";
import { judgeSchedule, type ScheduleRefusal } from "./authTokenSchedule";

export interface AuthTokenReceiver {
  /** The keys this gateway issues its AuthTokens with; absent, an AuthToken is refused. */
  readonly authTokenKeys?: AuthTokenKeys;
  /**
   * Whether an approved authorization already spent the token that the authorization named by
   * `authRecordID` (AuthTokenOpaque) issued: a token authorizes once.
   */
  readonly authTokenSpent?: (authRecordID: string) => boolean | Promise<boolean>;
  /** The time of checking, for the recurring schedule. */
  readonly now: Date;
  /**
   * The time the schedule is judged at when it is not `now`: a lab moves it ahead to try a
   * recurring payment without waiting for its period (docs/lifecycle.md). Default `now`.
   */
  readonly scheduleNow?: Date;
}

/** A subsequent authorization that passed every check: the purchase's account is the gateway's to find. */
export interface SubsequentAuthorization {
  readonly kind: "subsequent";
  readonly token: AuthTokenData;
  readonly opaque: AuthTokenOpaque;
  readonly terms?: InstallRecurData;
}

export type AuthTokenRefusal = {
  readonly kind: "refused";
  readonly authCode: "authTokenRejected" | "amountError" | "merchantMismatch";
  readonly reason: string;
};

const rejected = (reason: string): AuthTokenRefusal => ({
  kind: "refused",
  authCode: "authTokenRejected",
  reason,
});

/**
 * In this order: AuthRRTags' MerchantID the signer's merID (merchantMismatch); the token opens
 * with this gateway's keys (`openAuthToken`), was issued to the merchant that signed this AuthReq
 * and for this transaction (the whole TransIDs of AuthTags), and no approved authorization spent
 * it yet (authTokenRejected); then the schedule (`judgeSchedule`: what remains, the installment
 * count, the recurring period and expiry, InstallRecurSeqNum; amountError or authTokenRejected).
 */
export async function judgeAuthToken(
  p: Parameters<typeof openAuthToken>[0],
  o: OpenedAuthReq,
  token: AuthToken,
  receiver: AuthTokenReceiver,
): Promise<SubsequentAuthorization | AuthTokenRefusal> {
  const item = o.data.authReqItem;
  if (item.authTags.authRRTags.merTermIDs.merchantID !== o.merID)
    return {
      kind: "refused",
      authCode: "merchantMismatch",
      reason: "AuthRRTags names another MerchantID than the signer's",
    };
  if (!receiver.authTokenKeys) return rejected("this gateway takes no AuthToken");
  const opened = await openAuthToken(p, receiver.authTokenKeys, token);
  if (!opened.ok) return rejected(opened.reason);
  const { data, opaque } = opened;
  if (data.merchantID !== o.merID) return rejected("the AuthToken was issued to another merchant");
  if (!bytesEqual(encodeDer(TransIDs, data.transIDs), encodeDer(TransIDs, item.authTags.transIDs)))
    return rejected("the AuthToken was issued for another transaction");
  if (await receiver.authTokenSpent?.(opaque.authRecordID))
    return rejected("the AuthToken was already used for an authorization");
  const refusal: ScheduleRefusal | undefined = judgeSchedule(
    data,
    opened.terms,
    item.authReqPayload.authReqAmt,
    item.authReqPayload.installRecurSeqNum,
    receiver.scheduleNow ?? receiver.now,
  );
  if (refusal) return { kind: "refused", ...refusal };
  return { kind: "subsequent", token: data, opaque, ...(opened.terms ? { terms: opened.terms } : {}) };
}
