import type { CryptoProvider } from "../crypto/provider";
import type { CurrencyAmount } from "../schema/common";
import type { CapRevOrCredResData } from "../schema/payment";
import {
  type CapRevOrCredKind,
  type CapRevOrCredRes,
  capRevOrCredKinds,
  openCapRevOrCredRes,
} from "./capRevOrCred";
import { type GatewayAnswerReceiver, gatewayAnswerKind } from "./gatewayAnswer";
import type { Incoming } from "./incoming";
import {
  type ItemIds,
  type ItemsAnswer,
  type ItemsAnswerReading,
  type ItemsExpectations,
  type ItemVerdict,
  itemVerdict,
  type ReceivedItem,
  receiveItemsAnswer,
} from "./itemAnswers";

/** One item as the merchant asked for it; `amount` the amount it expects to move. */
export interface CapRevOrCredAsked extends ItemIds {
  /** CapRevOrCredReqAmt, or for a capture reversal without one, the captured amount. */
  readonly amount: CurrencyAmount;
}

export interface CapRevOrCredResExpectations extends ItemsExpectations<CapRevOrCredAsked> {
  /** The request's CapRevOrCredRRTags RRPID. */
  readonly rrpid: Uint8Array;
}

export type CapRevOrCredResReceiver = GatewayAnswerReceiver;

/**
 * `done`: success for exactly the amount asked; `refused`: any other code (nothing moved);
 * `amountMismatch`: a success for another amount or currency, which the merchant must not book.
 */
export type CapRevOrCredVerdict = ItemVerdict<"done">;

type ResPayload = CapRevOrCredResData["capRevOrCredResItemSeq"][number]["capRevOrCredResPayload"];

export type ReceivedCapRevOrCredItem = ReceivedItem<CapRevOrCredAsked, ResPayload, CapRevOrCredVerdict>;

export interface ReceivedCapRevOrCredRes extends ItemsAnswer<CapRevOrCredResData, ReceivedCapRevOrCredItem> {
  readonly kind: CapRevOrCredKind;
}

const reading: ItemsAnswerReading<
  CapRevOrCredResData,
  CapRevOrCredResData["capRevOrCredResItemSeq"][number],
  CapRevOrCredAsked,
  ReceivedCapRevOrCredItem
> = {
  names: {
    data: "CapRevOrCredResData",
    rrTags: "capRevOrCredRRTags",
    itemSeq: "capRevOrCredResItemSeq",
    item: "CapRevOrCredResItem",
  },
  rrpid: (data) => data.capRevOrCredRRTags.rrpid,
  answers: (data) => data.capRevOrCredResItemSeq,
  judge: ({ capRevOrCredResPayload: payload }, asked) => ({
    asked,
    payload,
    verdict: itemVerdict(
      payload.capRevOrCredCode === "success",
      payload.capRevOrCredActualAmt,
      asked.amount,
      "done",
    ),
  }),
};

const answerKindOf = (kind: CapRevOrCredKind) => {
  const { responseType, response, request } = capRevOrCredKinds[kind];
  return gatewayAnswerKind(responseType, response, request, (p, merchant, body, trust, options) =>
    openCapRevOrCredRes(p, kind, merchant, body as CapRevOrCredRes, trust, options),
  );
};

const answerKinds: Readonly<Record<CapRevOrCredKind, ReturnType<typeof answerKindOf>>> = {
  captureReversal: answerKindOf("captureReversal"),
  credit: answerKindOf("credit"),
  creditReversal: answerKindOf("creditReversal"),
};

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
  const answer = await receiveItemsAnswer(
    p,
    message,
    answerKinds[kind],
    expected,
    expected.rrpid,
    receiver,
    reading,
  );
  return { kind, ...answer };
}
