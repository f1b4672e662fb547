import type { SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import { checkTransIDs } from "../purchase/transIDs";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import type { AuthResBaggage, AuthResData, CapResPayload } from "../schema/payment";
import { openAuthRes } from "./authRes";
import { checkAnswerIds, gatewayAnswerKind, openGatewayAnswer } from "./gatewayAnswer";
import type { Incoming } from "./incoming";
import { itemVerdict } from "./itemAnswers";
import type { CaptureVerdict } from "./receiveCapRes";
import { protectedIdsOf } from "./wrapperIds";

/** What the merchant asked for in its AuthReq. */
export interface AuthResExpectations {
  readonly authRRPID: Uint8Array;
  readonly transIDs: TransIDs;
  readonly authReqAmt: CurrencyAmount;
  /** The brand of the order: the gateway's certificate must be of it. */
  readonly brand?: string;
  /**
   * The gateway key-exchange certificate (DER) the AuthReq was sealed to: the AuthRes must be
   * signed by that gateway (same subject, same issuing CA), not by any gateway of the brand.
   */
  readonly gateway: Uint8Array;
  /** The AuthReq asked for a sale (AuthReqData.captureNow): the answer's capture is judged too. */
  readonly captureNow?: boolean;
}

export interface AuthResReceiver {
  /** The merchant's key-exchange key the AuthReq's certificate named. */
  readonly decrypter: Decrypter;
  readonly trust: Trust;
  readonly understoodExtensions?: readonly string[];
}

/**
 * What the answer means, decided on AuthAmt (SET lets the issuer approve less than asked):
 * `approved`, AuthCode approved for exactly the amount asked; `partial`, AuthCode approved for a
 * positive amount below it (the merchant must treat and show it as a partial authorization, never
 * as the purchase approved); `declined`, any other AuthCode, or an approval of nothing (AuthAmt 0
 * authorizes nothing); `overAmount`, an approval for more than was asked (or in another currency
 * or exponent), which the merchant must not take as an authorization.
 */
export type AuthResVerdict = "approved" | "partial" | "declined" | "overAmount";

function verdictOf(authCode: string, amt: CurrencyAmount, asked: CurrencyAmount): AuthResVerdict {
  if (authCode !== "approved") return "declined";
  if (amt.currency !== asked.currency || amt.amtExp10 !== asked.amtExp10 || amt.amount > asked.amount)
    return "overAmount";
  if (amt.amount === asked.amount) return "approved";
  return amt.amount > 0 ? "partial" : "declined";
}

export interface ReceivedAuthRes {
  readonly data: AuthResData;
  readonly baggage: AuthResBaggage;
  readonly gateway: SetCertificate;
  readonly header: MessageHeader;
  readonly verdict: AuthResVerdict;
  /**
   * For a sale that was authorized (`approved` or `partial`): `captured` when CapResPayload says
   * success for exactly the AuthAmt approved; `refused` when it is absent or carries another
   * CapCode (the authorization stands, uncaptured); `amountMismatch` for a success of another
   * amount, which the merchant must not book. Absent otherwise: a CapResPayload the merchant did
   * not ask for is not a capture it books.
   */
  readonly capture?: CaptureVerdict;
}

function saleVerdictOf(payload: CapResPayload | undefined, authAmt: CurrencyAmount): CaptureVerdict {
  if (payload === undefined) return "refused";
  return itemVerdict(payload.capCode === "success", payload.capAmt, authAmt, "captured");
}

const authRes = gatewayAnswerKind("authorizationResponse", "AuthRes", "AuthReq", openAuthRes);

/**
 * Every check of an AuthRes (digest 6, "Merchant"): the message type (an Error is the gateway's
 * answer: RemoteSetError); `openAuthRes` (envelope, signature and baggage as the one decryption
 * failure, the gateway's pgwy signature certificate of the brand and its chain, carried
 * certificates); the signer the gateway the AuthReq was sealed to (invalidCertificate, naming
 * the signer); header ids against AuthTags (wrapperMsgMismatch); AuthTags' RRPID ours
 * (unknownRRPID) and TransIDs ours (unknownXID, unknownLID, wrapperMsgMismatch); then AuthAmt
 * against the amount asked for (the verdict), and for a sale its capture against AuthAmt.
 */
export async function receiveAuthRes(
  p: CryptoProvider,
  message: Incoming,
  expected: AuthResExpectations,
  receiver: AuthResReceiver,
): Promise<ReceivedAuthRes> {
  const { header: messageHeader, opened } = await openGatewayAnswer(p, message, authRes, expected, receiver);
  const { data, baggage, gateway } = opened;
  const tags = data.authTags;
  const rrpid = tags.authRRTags.rrpid;
  const notOurs = "AuthTags.authRRTags.rrpid is not our AuthReq's";
  const ids = protectedIdsOf(tags.transIDs, rrpid);
  checkAnswerIds(messageHeader, ids, rrpid, expected.authRRPID, notOurs, "AuthResData.authTags");
  checkTransIDs(tags.transIDs, expected.transIDs, "AuthResData.authTags.transIDs");
  const header = data.authResPayload.authHeader;
  const verdict = verdictOf(header.authCode, header.authAmt, expected.authReqAmt);
  const sale = expected.captureNow === true && (verdict === "approved" || verdict === "partial");
  return {
    data,
    baggage,
    gateway,
    header: messageHeader,
    verdict,
    ...(sale ? { capture: saleVerdictOf(data.authResPayload.capResPayload, header.authAmt) } : {}),
  };
}
