/**
 * The gateway receives BatchAdminReq (digest 3.7). Protocol failures are SetErrors (answered with
 * a SET Error); what the batch ledger says (unknown batch, already open, closed) is the gateway's
 * BatchAdminCode, not a check here.
 */
import { encodeDer } from "../asn1/codec";
import { sha256, sha256Hex } from "../cert/digest";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import { namingCertificate, SetError } from "../errors";
import type { MessageHeader } from "../schema/header";
import { BatchAdminReqData } from "../schema/payment";
import { type AnsweredRequests, isRepeat } from "./answeredRequests";
import { type OpenedBatchAdminReq, openBatchAdminReq } from "./batchAdmin";
import { checkHeaderDate } from "./headerDate";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { checkWrapperIds } from "./wrapperIds";

export interface BatchAdminReqReceiver {
  /** The brand whose key-exchange key the envelope names, and that key. */
  readonly brand: string;
  readonly gatewayKex: Decrypter;
  readonly trust: Trust;
  readonly now: Date;
  readonly maxClockSkewMs?: number;
  /** The merIDs the acquirer has enrolled for this brand. */
  readonly enrolledMerIDs: readonly string[];
  /** The BatchAdminReqs already taken, by BatchAdminRRTags' RRPID. */
  readonly answered?: AnsweredRequests;
}

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
  const naming = (text: string) =>
    namingCertificate(
      new SetError("invalidCertificate", text, opened.merchant.where),
      sha256(opened.merchant.tbs),
    );
  if (!receiver.enrolledMerIDs.includes(opened.merID))
    throw naming(`merchant ${opened.merID} is not enrolled with this acquirer for ${receiver.brand}`);
  if (opened.data.batchAdminRRTags.merTermIDs.merchantID !== opened.merID)
    throw naming("BatchAdminRRTags names another MerchantID than the signing merchant's certificate");
  const header = wrapper.messageHeader;
  const rrpid = opened.data.batchAdminRRTags.rrpid;
  checkWrapperIds(header, { rrpid });
  const fingerprint = sha256Hex(encodeDer(BatchAdminReqData, opened.data));
  const base = { ...opened, header, fingerprint };
  if (await isRepeat(receiver.answered, rrpid, fingerprint, "BatchAdminRRTags.rrpid"))
    return { ...base, repeat: true };
  checkHeaderDate(header.date, receiver.now, receiver.maxClockSkewMs);
  return { ...base, repeat: false };
}
