import type { CryptoProvider } from "../crypto/provider";
import type { CurrencyAmount } from "../schema/common";
import type { CapResData, CapResPayload } from "../schema/payment";
import { openCapRes } from "./capRes";
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

const capRes = gatewayAnswerKind("captureResponse", "CapRes", "CapReq", openCapRes);

/** One capture item as the merchant asked for it. */
export interface CaptureAsked extends ItemIds {
  readonly capReqAmt: CurrencyAmount;
}

/** What the merchant asked for in its CapReq. */
export interface CapResExpectations extends ItemsExpectations<CaptureAsked> {
  readonly capRRPID: Uint8Array;
}

export type CapResReceiver = GatewayAnswerReceiver;

/**
 * What one item's answer means: `captured`, CapCode success for exactly the amount asked;
 * `refused`, any other CapCode (nothing captured); `amountMismatch`, a success for another amount
 * or currency than asked, which the merchant must not book as a capture.
 */
export type CaptureVerdict = ItemVerdict<"captured">;

export type ReceivedCaptureItem = ReceivedItem<CaptureAsked, CapResPayload, CaptureVerdict>;

export type ReceivedCapRes = ItemsAnswer<CapResData, ReceivedCaptureItem>;

const reading: ItemsAnswerReading<
  CapResData,
  CapResData["capResItemSeq"][number],
  CaptureAsked,
  ReceivedCaptureItem
> = {
  names: { data: "CapResData", rrTags: "capRRTags", itemSeq: "capResItemSeq", item: "CapResItem" },
  rrpid: (data) => data.capRRTags.rrpid,
  answers: (data) => data.capResItemSeq,
  judge: ({ capResPayload: payload }, asked) => ({
    asked,
    payload,
    verdict: itemVerdict(payload.capCode === "success", payload.capAmt, asked.capReqAmt, "captured"),
  }),
};

/**
 * Every check of a CapRes: the message type (an Error is the gateway's answer: RemoteSetError);
 * `openCapRes` (envelope and signature as the one decryption failure, the gateway's pgwy signature
 * certificate of the brand and its chain, carried certificates); the signer the gateway the CapReq
 * was sealed to (invalidCertificate, naming the signer); header ids against the body
 * (wrapperMsgMismatch); CapRRTags' RRPID ours (unknownRRPID); one CapResItem per item asked, in
 * its order, with its AuthRRPID (unknownRRPID) and TransIDs (unknownXID, unknownLID,
 * wrapperMsgMismatch); then each item's CapCode and CapAmt against the amount asked (the verdict).
 */
export function receiveCapRes(
  p: CryptoProvider,
  message: Incoming,
  expected: CapResExpectations,
  receiver: CapResReceiver,
): Promise<ReceivedCapRes> {
  return receiveItemsAnswer(p, message, capRes, expected, expected.capRRPID, receiver, reading);
}
