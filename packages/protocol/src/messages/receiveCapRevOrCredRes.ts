/**
 * The merchant receives CapRevRes, CredRes or CredRevRes (digest 3.7): one receive for the three;
 * `receiveCapRevRes`, `receiveCredRes` and `receiveCredRevRes` name the kind.
 */
import type { SetCertificate } from "../cert/setCertificate";
import type { CryptoProvider } from "../crypto/provider";
import { sameMinorUnits } from "../money/amount";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import type { CapRevOrCredResData } from "../schema/payment";
import {
  type CapRevOrCredKind,
  type CapRevOrCredRes,
  capRevOrCredKinds,
  openCapRevOrCredRes,
} from "./capRevOrCred";
import {
  type GatewayAnswerExpectations,
  type GatewayAnswerReceiver,
  openGatewayAnswer,
} from "./gatewayAnswer";
import type { Incoming } from "./incoming";
import { matchItemAnswers } from "./itemAnswers";

/** One item as the merchant asked for it; `amount` the amount it expects to move. */
export interface CapRevOrCredAsked {
  readonly transIDs: TransIDs;
  readonly authRRPID: Uint8Array;
  /** CapRevOrCredReqAmt, or for a capture reversal without one, the captured amount. */
  readonly amount: CurrencyAmount;
}

export interface CapRevOrCredResExpectations extends GatewayAnswerExpectations {
  /** The request's CapRevOrCredRRTags RRPID. */
  readonly rrpid: Uint8Array;
  readonly items: readonly CapRevOrCredAsked[];
}

export type CapRevOrCredResReceiver = GatewayAnswerReceiver;

/**
 * `done`: success for exactly the amount asked; `refused`: any other code (nothing moved);
 * `amountMismatch`: a success for another amount or currency, which the merchant must not book.
 */
export type CapRevOrCredVerdict = "done" | "refused" | "amountMismatch";

type ResPayload = CapRevOrCredResData["capRevOrCredResItemSeq"][number]["capRevOrCredResPayload"];

export interface ReceivedCapRevOrCredItem {
  readonly asked: CapRevOrCredAsked;
  readonly payload: ResPayload;
  readonly verdict: CapRevOrCredVerdict;
}

export interface ReceivedCapRevOrCredRes {
  readonly kind: CapRevOrCredKind;
  readonly data: CapRevOrCredResData;
  readonly gateway: SetCertificate;
  readonly header: MessageHeader;
  /** In the order of `expected.items`. */
  readonly items: readonly ReceivedCapRevOrCredItem[];
}

function verdictOf(payload: ResPayload, asked: CurrencyAmount): CapRevOrCredVerdict {
  if (payload.capRevOrCredCode !== "success") return "refused";
  return sameMinorUnits(payload.capRevOrCredActualAmt, asked) ? "done" : "amountMismatch";
}

/**
 * Every check of the answer: the message type (an Error is the gateway's answer: RemoteSetError;
 * another type messageNotSupported); the envelope and signature (one decryption failure), the
 * gateway's pgwy signature certificate of the brand and its chain, carried certificates; the
 * signer the gateway the request was sealed to (invalidCertificate, naming it); header ids
 * against the body (wrapperMsgMismatch); the RRPID ours (unknownRRPID); one item per item asked,
 * in its order, with its AuthRRPID (unknownRRPID) and TransIDs; then each item's code and
 * CapRevOrCredActualAmt against the amount asked (the verdict).
 */
export async function receiveCapRevOrCredRes(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  message: Incoming,
  expected: CapRevOrCredResExpectations,
  receiver: CapRevOrCredResReceiver,
): Promise<ReceivedCapRevOrCredRes> {
  const k = capRevOrCredKinds[kind];
  const { header, opened } = await openGatewayAnswer(
    p,
    message,
    k.responseType,
    expected,
    receiver,
    { answer: k.response, request: k.request },
    (body, brand) =>
      openCapRevOrCredRes(p, kind, receiver.decrypter, body as CapRevOrCredRes, receiver.trust, brand),
  );
  const { data, gateway } = opened;
  const items = matchItemAnswers(
    header,
    data.capRevOrCredRRTags.rrpid,
    data.capRevOrCredResItemSeq,
    expected.rrpid,
    expected.items,
    {
      answer: k.response,
      request: k.request,
      notOurRRPID: `the RRPID is not our ${k.request}'s`,
      rrTags: "CapRevOrCredResData.capRevOrCredRRTags",
      itemSeq: "CapRevOrCredResData.capRevOrCredResItemSeq",
      otherAuthorization: "an item answers another authorization",
      item: "CapRevOrCredResItem",
    },
  ).map(({ answer, asked }) => {
    const payload = answer.capRevOrCredResPayload;
    return { asked, payload, verdict: verdictOf(payload, asked.amount) };
  });
  return { kind, data, gateway, header, items };
}
