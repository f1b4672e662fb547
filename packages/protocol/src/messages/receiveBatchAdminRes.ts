/** The merchant receives BatchAdminRes (digest 3.7). */
import { bytesEqual } from "../asn1/tlv";
import { sha256 } from "../cert/digest";
import { sameParty } from "../cert/sameParty";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import { namingCertificate, SetError } from "../errors";
import type { MessageHeader } from "../schema/header";
import type { BatchAdminResData } from "../schema/payment";
import { openBatchAdminRes } from "./batchAdmin";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { checkWrapperIds } from "./wrapperIds";

/** What the merchant asked for in its BatchAdminReq. */
export interface BatchAdminResExpectations {
  readonly rrpid: Uint8Array;
  /** The batch asked about; 0 for the merchant's open batch. */
  readonly batchID: number;
  readonly brand?: string;
  /** The gateway key-exchange certificate (DER) the request was sealed to: its gateway must sign. */
  readonly gateway: Uint8Array;
}

export interface BatchAdminResReceiver {
  readonly decrypter: Decrypter;
  readonly trust: Trust;
  readonly understoodExtensions?: readonly string[];
}

export interface ReceivedBatchAdminRes {
  readonly data: BatchAdminResData;
  readonly gateway: SetCertificate;
  readonly header: MessageHeader;
}

/**
 * Every check of a BatchAdminRes: the message type (an Error is the gateway's answer:
 * RemoteSetError); envelope and signature (one generic decryption failure); the gateway's pgwy
 * signature certificate of the brand and its chain, carried certificates; the signer the gateway
 * the request was sealed to (invalidCertificate, naming it); header ids against the body
 * (wrapperMsgMismatch); BatchAdminRRTags' RRPID ours (unknownRRPID); the batch answered the one
 * asked, or for 0 (the open batch) a numbered one (wrapperMsgMismatch); a status, when present,
 * about that batch, and per-brand totals adding up to its transaction count (wrapperMsgMismatch).
 */
export async function receiveBatchAdminRes(
  p: CryptoProvider,
  message: Incoming,
  expected: BatchAdminResExpectations,
  receiver: BatchAdminResReceiver,
): Promise<ReceivedBatchAdminRes> {
  const { wrapper } = asRead(message, receiver.understoodExtensions);
  const brand = expected.brand !== undefined ? { brand: expected.brand } : {};
  const body = await bodyOf(p, wrapper, "batchAdministrationResponse", {
    trust: receiver.trust,
    roles: ["pgwy"],
    ...brand,
  });
  const { data, gateway } = await openBatchAdminRes(p, receiver.decrypter, body, receiver.trust, brand);
  if (!sameParty(gateway, parseSetCertificate(expected.gateway)))
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        "the BatchAdminRes is signed by another gateway than the one the request was sealed to",
        gateway.where,
      ),
      sha256(gateway.tbs),
    );
  checkWrapperIds(wrapper.messageHeader, { rrpid: data.batchAdminRRTags.rrpid });
  if (!bytesEqual(data.batchAdminRRTags.rrpid, expected.rrpid))
    throw new SetError(
      "unknownRRPID",
      "BatchAdminRRTags.rrpid is not our request's",
      "BatchAdminResData.batchAdminRRTags",
    );
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
  if (data.batchTotals) {
    const counted = data.batchTotals.reduce((n, t) => n + t.itemCount, 0);
    if (status?.transactionCount !== undefined && counted !== status.transactionCount)
      throw new SetError(
        "wrapperMsgMismatch",
        `the totals count ${counted} items, the BatchStatus ${status.transactionCount}`,
        "BatchAdminResData.batchTotals",
      );
  }
  return { data, gateway, header: wrapper.messageHeader };
}
