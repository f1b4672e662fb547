/** The merchant receives CapRes (digest 3.7). */
import { bytesEqual } from "../asn1/tlv";
import { sha256 } from "../cert/digest";
import { sameParty } from "../cert/sameParty";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import { namingCertificate, SetError } from "../errors";
import { toMinorUnits } from "../money/amount";
import { checkTransIDs } from "../purchase/transIDs";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import type { CapResData, CapResPayload } from "../schema/payment";
import { openCapRes } from "./capRes";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { checkWrapperIds, type ProtectedIds, protectedIdsOf } from "./wrapperIds";

/** One capture item as the merchant asked for it. */
export interface CaptureAsked {
  readonly transIDs: TransIDs;
  readonly authRRPID: Uint8Array;
  readonly capReqAmt: CurrencyAmount;
}

/** What the merchant asked for in its CapReq. */
export interface CapResExpectations {
  readonly capRRPID: Uint8Array;
  readonly items: readonly CaptureAsked[];
  readonly brand?: string;
  /** The gateway key-exchange certificate (DER) the CapReq was sealed to: its gateway must sign. */
  readonly gateway: Uint8Array;
}

export interface CapResReceiver {
  readonly decrypter: Decrypter;
  readonly trust: Trust;
  readonly understoodExtensions?: readonly string[];
}

/**
 * What one item's answer means: `captured`, CapCode success for exactly the amount asked;
 * `refused`, any other CapCode (nothing captured); `amountMismatch`, a success for another amount
 * or currency than asked, which the merchant must not book as a capture.
 */
export type CaptureVerdict = "captured" | "refused" | "amountMismatch";

export interface ReceivedCaptureItem {
  readonly asked: CaptureAsked;
  readonly payload: CapResPayload;
  readonly verdict: CaptureVerdict;
}

export interface ReceivedCapRes {
  readonly data: CapResData;
  readonly gateway: SetCertificate;
  readonly header: MessageHeader;
  /** In the order of `expected.items`. */
  readonly items: readonly ReceivedCaptureItem[];
}

function verdictOf(payload: CapResPayload, asked: CurrencyAmount): CaptureVerdict {
  if (payload.capCode !== "success") return "refused";
  const got = toMinorUnits(payload.capAmt);
  const want = toMinorUnits(asked);
  const same = got.ok && want.ok && got.currency.code === want.currency.code && got.minor === want.minor;
  return same ? "captured" : "amountMismatch";
}

/**
 * Every check of a CapRes: the message type (an Error is the gateway's answer: RemoteSetError);
 * `openCapRes` (envelope and signature as the one decryption failure, the gateway's pgwy signature
 * certificate of the brand and its chain, carried certificates); the signer the gateway the CapReq
 * was sealed to (invalidCertificate, naming the signer); header ids against the body
 * (wrapperMsgMismatch); CapRRTags' RRPID ours (unknownRRPID); one CapResItem per item asked, in
 * its order, with its AuthRRPID (unknownRRPID) and TransIDs (unknownXID, unknownLID,
 * wrapperMsgMismatch); then each item's CapCode and CapAmt against the amount asked (the verdict).
 */
export async function receiveCapRes(
  p: CryptoProvider,
  message: Incoming,
  expected: CapResExpectations,
  receiver: CapResReceiver,
): Promise<ReceivedCapRes> {
  const { wrapper } = asRead(message, receiver.understoodExtensions);
  const brand = expected.brand !== undefined ? { brand: expected.brand } : {};
  const body = await bodyOf(p, wrapper, "captureResponse", {
    trust: receiver.trust,
    roles: ["pgwy"],
    ...brand,
  });
  const { data, gateway } = await openCapRes(p, receiver.decrypter, body, receiver.trust, brand);
  if (!sameParty(gateway, parseSetCertificate(expected.gateway)))
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        "the CapRes is signed by another gateway than the one the CapReq was sealed to",
        gateway.where,
      ),
      sha256(gateway.tbs),
    );
  const answers = data.capResItemSeq;
  const ids: ProtectedIds =
    answers.length === 1
      ? protectedIdsOf(answers[0].transIDs, data.capRRTags.rrpid)
      : { rrpid: data.capRRTags.rrpid };
  checkWrapperIds(wrapper.messageHeader, ids);
  if (!bytesEqual(data.capRRTags.rrpid, expected.capRRPID))
    throw new SetError("unknownRRPID", "CapRRTags.rrpid is not our CapReq's", "CapResData.capRRTags");
  if (answers.length !== expected.items.length)
    throw new SetError(
      "wrapperMsgMismatch",
      `the CapRes answers ${answers.length} items, the CapReq asked ${expected.items.length}`,
      "CapResData.capResItemSeq",
    );
  const items = answers.map((answer, i) => {
    const asked = expected.items[i];
    if (!bytesEqual(answer.authRRPID, asked.authRRPID))
      throw new SetError(
        "unknownRRPID",
        "a CapResItem answers another authorization",
        "CapResItem.authRRPID",
      );
    checkTransIDs(answer.transIDs, asked.transIDs, "CapResItem.transIDs");
    return {
      asked,
      payload: answer.capResPayload,
      verdict: verdictOf(answer.capResPayload, asked.capReqAmt),
    };
  });
  return { data, gateway, header: wrapper.messageHeader, items };
}
