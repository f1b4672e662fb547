/**
 * The merchant receives PInitReq (digest 3.3, patent step S32). PInitReq is neither signed nor
 * encrypted, so its own fields are the copies the header must agree with.
 */
import type { CryptoProvider } from "../crypto/provider";
import { checkCriticalExtensions } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import type { PInitReq } from "../schema/purchase";
import { type AnsweredRequests, isRepeat } from "./answeredRequests";
import { checkHeaderDate } from "./headerDate";
import { asRead, bodyOf, fingerprintOf, type Incoming } from "./incoming";
import { checkWrapperIds } from "./wrapperIds";

export interface PInitReqReceiver {
  /** The receiver's clock, for the header date. */
  readonly now: Date;
  readonly maxClockSkewMs?: number;
  /** Message extensions (OIDs) the merchant understands; a critical one outside the list is refused. */
  readonly understoodExtensions?: readonly string[];
  /** The PInitReqs already taken, by RRPID. */
  readonly answered?: AnsweredRequests;
}

export interface ReceivedPInitReq {
  readonly req: PInitReq;
  readonly header: MessageHeader;
  /** SHA-256 of the bytes (hex), what the receiver records beside the RRPID. */
  readonly fingerprint: string;
  /** The same PInitReq again: nothing after the replay check was judged; answer with the stored answer. */
  readonly repeat: boolean;
}

/**
 * Every check of a PInitReq: the message type; header ids against the body (wrapperMsgMismatch);
 * the RRPID against the ones taken (a retry is a repeat, a reuse with other bytes unknownRRPID);
 * for a new request the header date (messageTooOld/New) and critical extensions
 * (unrecognizedExtension).
 */
export async function receivePInitReq(
  p: CryptoProvider,
  message: Incoming,
  receiver: PInitReqReceiver,
): Promise<ReceivedPInitReq> {
  const { bytes, wrapper } = asRead(message, receiver.understoodExtensions);
  const req = await bodyOf(p, wrapper, "purchaseInitRequest");
  const header = wrapper.messageHeader;
  checkWrapperIds(header, { rrpid: req.rrpid, lid_C: req.localID_C, lid_M: req.localID_M });
  const fingerprint = fingerprintOf(bytes);
  if (await isRepeat(receiver.answered, req.rrpid, fingerprint, "PInitReq.rrpid"))
    return { req, header, fingerprint, repeat: true };
  checkHeaderDate(header.date, receiver.now, receiver.maxClockSkewMs);
  checkCriticalExtensions(req.piRqExtensions, receiver.understoodExtensions ?? [], "PInitReq.piRqExtensions");
  return { req, header, fingerprint, repeat: false };
}
