/**
 * The gateway receives BatchAdminReq (digest 3.7). Protocol failures are SetErrors (answered with
 * a SET Error); what the batch ledger says (unknown batch, already open, closed) is the gateway's
 * BatchAdminCode, not a check here.
 */
import { encodeDer } from "../asn1/codec";
import { sha256Hex } from "../cert/digest";
import type { CryptoProvider } from "../crypto/provider";
import type { MessageHeader } from "../schema/header";
import { BatchAdminReqData } from "../schema/payment";
import { type OpenedBatchAdminReq, openBatchAdminReq } from "./batchAdmin";
import { checkRequestingMerchant, type GatewayRequestReceiver, isRepeatRequest } from "./gatewayRequest";
import { asRead, bodyOf, type Incoming } from "./incoming";

export type BatchAdminReqReceiver = GatewayRequestReceiver;

export interface ReceivedBatchAdminReq extends OpenedBatchAdminReq {
  readonly header: MessageHeader;
  /** SHA-256 (hex) over BatchAdminReqData: what tells a retry from a reuse of the RRPID. */
  readonly fingerprint: string;
  /** A retry of a request already taken: the stored answer goes back, nothing is acted on. */
  readonly repeat: boolean;
}

/**
 * Every check of a BatchAdminReq, in this order: the message type (messageNotSupported); the
 * envelope and the merchant's signature (one generic decryption failure); the merchant's two
 * certificates; the merchant enrolled for the brand and BatchAdminRRTags' MerchantID its merID
 * (invalidCertificate, naming its certificate); header ids against the body (the RRPID; a body
 * without TransIDs lets the header state none: wrapperMsgMismatch); the RRPID against the ones
 * taken (a retry is a repeat; a reuse with other content unknownRRPID); for a new request the
 * header date (messageTooOld/New).
 */
export async function receiveBatchAdminReq(
  p: CryptoProvider,
  message: Incoming,
  receiver: BatchAdminReqReceiver,
): Promise<ReceivedBatchAdminReq> {
  const { wrapper } = asRead(message);
  const body = await bodyOf(p, wrapper, "batchAdministrationRequest");
  const opened = await openBatchAdminReq(p, receiver.gatewayKex, body, receiver.trust, {
    brand: receiver.brand,
  });
  const rrTags = opened.data.batchAdminRRTags;
  checkRequestingMerchant(opened, receiver, "BatchAdminRRTags", rrTags.merTermIDs.merchantID);
  const header = wrapper.messageHeader;
  const rrpid = rrTags.rrpid;
  const fingerprint = sha256Hex(encodeDer(BatchAdminReqData, opened.data));
  const base = { ...opened, header, fingerprint };
  if (await isRepeatRequest(header, { rrpid }, rrpid, fingerprint, receiver, "BatchAdminRRTags.rrpid"))
    return { ...base, repeat: true };
  return { ...base, repeat: false };
}
