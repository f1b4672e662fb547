/** The merchant receives PReq (digest 3.4, patent steps S38-S41). */

import type { Trust } from "../cert/trust";
import type { CryptoProvider } from "../crypto/provider";
import { type MerchantOrder, type VerifiedPReq, verifyPReqAsMerchant } from "../purchase/merchant";
import type { MessageHeader } from "../schema/header";
import type { OIData, PReq } from "../schema/purchase";
import { type AnsweredRequests, isRepeat } from "./answeredRequests";
import { checkHeaderDate } from "./headerDate";
import { asRead, bodyOf, fingerprintOf, type Incoming } from "./incoming";
import { checkWrapperIds, protectedIdsOf } from "./wrapperIds";

export interface PReqReceiver {
  readonly trust: Trust;
  /** The receiver's clock, for the header date. */
  readonly now: Date;
  readonly maxClockSkewMs?: number;
  /** The PReqs already taken, by OIData.RRPID. */
  readonly answered?: AnsweredRequests;
}

export type ReceivedPReq =
  | { readonly repeat: true; readonly pReq: PReq; readonly oiData: OIData; readonly fingerprint: string }
  | (VerifiedPReq & {
      readonly repeat: false;
      readonly pReq: PReq;
      readonly header: MessageHeader;
      readonly fingerprint: string;
    });

/** The OIData of either form of PReq: where the merchant reads the ids it routes by. */
export const oiDataOf = (pReq: PReq): OIData =>
  pReq.type === "pReqDualSigned" ? pReq.value.oiDualSigned.oiData : pReq.value.oiUnsigned.oiData;

/**
 * Every check of a PReq (digest 6, "Merchant"): the message type; header ids against OIData
 * (wrapperMsgMismatch); OIData.RRPID against the ones taken (a retry is a repeat, a reuse with
 * other bytes unknownRRPID); for a new request the header date (messageTooOld/New), then
 * `verifyPReqAsMerchant` against what the merchant issued in PInitRes (`order`: critical
 * extensions, TransIDs, Chall-C, Chall-M, BrandID and BIN, HOD, the unsigned form's policy, the
 * dual signature, the cardholder certificate and the certificates carried beside it).
 */
export async function receivePReq(
  p: CryptoProvider,
  message: Incoming,
  order: MerchantOrder,
  receiver: PReqReceiver,
): Promise<ReceivedPReq> {
  const { bytes, wrapper } = asRead(message, order.understoodExtensions);
  const pReq = await bodyOf(p, wrapper, "purchaseRequest");
  const oiData = oiDataOf(pReq);
  const header = wrapper.messageHeader;
  checkWrapperIds(header, protectedIdsOf(oiData.transIDs, oiData.rrpid));
  const fingerprint = fingerprintOf(bytes);
  if (await isRepeat(receiver.answered, oiData.rrpid, fingerprint, "OIData.rrpid"))
    return { repeat: true, pReq, oiData, fingerprint };
  checkHeaderDate(header.date, receiver.now, receiver.maxClockSkewMs);
  const verified = await verifyPReqAsMerchant(p, pReq, order, receiver.trust);
  return { ...verified, repeat: false, pReq, header, fingerprint };
}
