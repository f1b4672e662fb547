/**
 * The checks every merchant request to the gateway shares once opened (AuthRevReq, CapReq,
 * CapRevReq/CredReq/CredRevReq, BatchAdminReq): who sent it, and whether it is new.
 */
import { sha256 } from "../cert/digest";
import type { SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import { namingCertificate, SetError } from "../errors";
import type { MessageHeader } from "../schema/header";
import { type AnsweredRequests, isRepeat } from "./answeredRequests";
import { checkHeaderDate } from "./headerDate";
import { checkWrapperIds, type ProtectedIds } from "./wrapperIds";

export interface GatewayRequestReceiver {
  /** The brand whose key-exchange key the envelope names, and that key. */
  readonly brand: string;
  readonly gatewayKex: Decrypter;
  readonly trust: Trust;
  readonly now: Date;
  readonly maxClockSkewMs?: number;
  /** The merIDs the acquirer has enrolled for this brand. */
  readonly enrolledMerIDs: readonly string[];
  /** The requests of this message already taken, by their RRTags' RRPID. */
  readonly answered?: AnsweredRequests;
}

/**
 * The signing merchant enrolled with this acquirer for the brand, and the MerchantID its RRTags
 * (`rrTags`, SET's name) state its certificate's merID (invalidCertificate, naming its certificate).
 */
export function checkRequestingMerchant(
  opened: { readonly merchant: SetCertificate; readonly merID: string },
  receiver: GatewayRequestReceiver,
  rrTags: string,
  rrTagsMerchantID: string,
): void {
  const naming = (text: string) =>
    namingCertificate(
      new SetError("invalidCertificate", text, opened.merchant.where),
      sha256(opened.merchant.tbs),
    );
  if (!receiver.enrolledMerIDs.includes(opened.merID))
    throw naming(`merchant ${opened.merID} is not enrolled with this acquirer for ${receiver.brand}`);
  if (rrTagsMerchantID !== opened.merID)
    throw naming(`${rrTags} names another MerchantID than the signing merchant's certificate`);
}

/**
 * Header ids against the body (wrapperMsgMismatch); the RRPID against the ones taken: a retry is a
 * repeat (true: nothing more is judged), a reuse with other content unknownRRPID (`where` names
 * the RRPID); for a new request the header date (messageTooOld/New).
 */
export async function isRepeatRequest(
  header: MessageHeader,
  ids: ProtectedIds,
  rrpid: Uint8Array,
  fingerprint: string,
  receiver: GatewayRequestReceiver,
  where: string,
): Promise<boolean> {
  checkWrapperIds(header, ids);
  if (await isRepeat(receiver.answered, rrpid, fingerprint, where)) return true;
  checkHeaderDate(header.date, receiver.now, receiver.maxClockSkewMs);
  return false;
}
