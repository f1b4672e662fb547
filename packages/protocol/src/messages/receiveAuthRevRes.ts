import type { CryptoProvider } from "../crypto/provider";
import type { CurrencyAmount } from "../schema/common";
import type { AuthResPayload, AuthRevResData, CapToken } from "../schema/payment";
import { openAuthRevRes } from "./authRevRes";
import {
  checkAnswerIds,
  type GatewayAnswer,
  type GatewayAnswerExpectations,
  type GatewayAnswerReceiver,
  gatewayAnswerKind,
  openGatewayAnswer,
} from "./gatewayAnswer";
import type { Incoming } from "./incoming";
import { sameNewAmount } from "./receiveAuthRevReq";

/** What the merchant asked for in its AuthRevReq. */
export interface AuthRevResExpectations extends GatewayAnswerExpectations {
  readonly authRevRRPID: Uint8Array;
  readonly authNewAmt: CurrencyAmount;
}

export type AuthRevResReceiver = GatewayAnswerReceiver;

/**
 * What the answer means: `reversed`, approved for exactly the new amount asked (the authorization
 * now stands at it; zero: cancelled); `refused`, any other AuthRevCode (the authorization is as it
 * was); `amountMismatch`, an approval for another amount or currency than asked, or an approved
 * reduction without the new CapToken and AuthResPayloadNew for that amount, which the merchant
 * must not book.
 */
export type AuthRevVerdict = "reversed" | "refused" | "amountMismatch";

export interface ReceivedAuthRevRes extends GatewayAnswer<AuthRevResData> {
  readonly verdict: AuthRevVerdict;
  /** For a reduction booked: the CapToken and AuthResPayload the authorization now has. */
  readonly capTokenNew?: CapToken;
  readonly authResPayloadNew?: AuthResPayload;
}

function verdictOf(data: AuthRevResData, hasCapToken: boolean, asked: CurrencyAmount): AuthRevVerdict {
  if (data.authRevCode !== "approved") return "refused";
  if (!sameNewAmount(data.authNewAmt, asked)) return "amountMismatch";
  if (asked.amount === 0) return "reversed";
  const payload = data.authResPayloadNew;
  const whole = hasCapToken && payload !== undefined && sameNewAmount(payload.authHeader.authAmt, asked);
  return whole ? "reversed" : "amountMismatch";
}

const authRevRes = gatewayAnswerKind("authReversalResponse", "AuthRevRes", "AuthRevReq", openAuthRevRes);

/**
 * Every check of an AuthRevRes: the message type (an Error is the gateway's answer:
 * RemoteSetError); `openAuthRevRes` (envelope, signature and baggage as the one decryption
 * failure, the gateway's pgwy signature certificate of the brand and its chain, carried
 * certificates); the signer the gateway the AuthRevReq was sealed to (invalidCertificate, naming
 * the signer); the header RRPID against the body's (wrapperMsgMismatch); AuthRevRRTags' RRPID
 * ours (unknownRRPID); then the AuthRevCode and AuthNewAmt against what was asked (the verdict).
 */
export async function receiveAuthRevRes(
  p: CryptoProvider,
  message: Incoming,
  expected: AuthRevResExpectations,
  receiver: AuthRevResReceiver,
): Promise<ReceivedAuthRevRes> {
  const { header, opened } = await openGatewayAnswer(p, message, authRevRes, expected, receiver);
  const { data, baggage, gateway } = opened;
  const rrpid = data.authRevTags.authRevRRTags.rrpid;
  const notOurs = "AuthRevRRTags.rrpid is not our AuthRevReq's";
  checkAnswerIds(header, { rrpid }, rrpid, expected.authRevRRPID, notOurs, "AuthRevResData.authRevTags");
  const verdict = verdictOf(data, baggage.capTokenNew !== undefined, expected.authNewAmt);
  const booked =
    verdict === "reversed" && expected.authNewAmt.amount !== 0
      ? { capTokenNew: baggage.capTokenNew!, authResPayloadNew: data.authResPayloadNew! }
      : {};
  return { data, gateway, header, verdict, ...booked };
}
