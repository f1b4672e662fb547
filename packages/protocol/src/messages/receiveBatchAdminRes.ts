import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import type { BatchAdminResData } from "../schema/payment";
import { openBatchAdminRes } from "./batchAdmin";
import { checkBatchTotals } from "./batchTotals";
import {
  checkAnswerIds,
  type GatewayAnswer,
  type GatewayAnswerExpectations,
  type GatewayAnswerReceiver,
  gatewayAnswerKind,
  openGatewayAnswer,
} from "./gatewayAnswer";
import type { Incoming } from "./incoming";

/** What the merchant asked for in its BatchAdminReq. */
export interface BatchAdminResExpectations extends GatewayAnswerExpectations {
  readonly rrpid: Uint8Array;
  /** The batch asked about; 0 for the merchant's open batch. */
  readonly batchID: number;
}

export type BatchAdminResReceiver = GatewayAnswerReceiver;

export type ReceivedBatchAdminRes = GatewayAnswer<BatchAdminResData>;

const batchAdminRes = gatewayAnswerKind(
  "batchAdministrationResponse",
  "BatchAdminRes",
  "request",
  openBatchAdminRes,
);

/**
 * Every check of a BatchAdminRes: the message type (an Error is the gateway's answer:
 * RemoteSetError); envelope and signature (one generic decryption failure); the gateway's pgwy
 * signature certificate of the brand and its chain, carried certificates; the signer the gateway
 * the request was sealed to (invalidCertificate, naming it); header ids against the body
 * (wrapperMsgMismatch); BatchAdminRRTags' RRPID ours (unknownRRPID); the batch answered the one
 * asked, or for 0 (the open batch) a numbered one (wrapperMsgMismatch); a status, when present,
 * about that batch; the totals well formed and agreeing with the status (`checkBatchTotals`).
 */
export async function receiveBatchAdminRes(
  p: CryptoProvider,
  message: Incoming,
  expected: BatchAdminResExpectations,
  receiver: BatchAdminResReceiver,
): Promise<ReceivedBatchAdminRes> {
  const { header, opened } = await openGatewayAnswer(p, message, batchAdminRes, expected, receiver);
  const { data, gateway } = opened;
  const rrpid = data.batchAdminRRTags.rrpid;
  const notOurs = "BatchAdminRRTags.rrpid is not our request's";
  checkAnswerIds(header, { rrpid }, rrpid, expected.rrpid, notOurs, "BatchAdminResData.batchAdminRRTags");
  const answered = data.batchID;
  if (
    expected.batchID === 0
      ? answered === 0 && data.batchAdminCode === "success"
      : answered !== expected.batchID
  )
    throw new SetError(
      "wrapperMsgMismatch",
      `the answer is about batch ${answered}, the request asked about ${expected.batchID || "the open batch"}`,
      "BatchAdminResData.batchID",
    );
  const status = data.batchStatus;
  if (status && status.batchID !== answered)
    throw new SetError(
      "wrapperMsgMismatch",
      "the BatchStatus is about another batch than the answer",
      "BatchAdminResData.batchStatus",
    );
  checkBatchTotals(data.batchTotals ?? [], status);
  return { data, gateway, header };
}
