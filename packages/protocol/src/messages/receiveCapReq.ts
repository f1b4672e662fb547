/**
 * The gateway receives CapReq (digest 3.7). Protocol failures are SetErrors (the gateway answers
 * them with a SET Error); what SET answers per item with a CapCode (a CapToken missing, invalid
 * or not this item's, an amount over the authorization, the same authorization twice in one
 * request) comes back as a refused item for the gateway to put in its CapRes.
 */
import { encodeDer } from "../asn1/codec";
import { bytesEqual, concatBytes } from "../asn1/tlv";
import { sha256Hex } from "../cert/digest";
import type { CryptoProvider } from "../crypto/provider";
import { toMinorUnits } from "../money/amount";
import type { MessageHeader } from "../schema/header";
import {
  type CapCode,
  type CapItem,
  CapReqData,
  type CapToken,
  type CapTokenData,
  type CapTokenOpaque,
  CapTokenSeq,
} from "../schema/payment";
import { type OpenedCapReq, openCapReq } from "./capReq";
import { type CapTokenKeys, openCapTokenFor } from "./capToken";
import { checkRequestingMerchant, type GatewayRequestReceiver, isRepeatRequest } from "./gatewayRequest";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { type ProtectedIds, protectedIdsOf } from "./wrapperIds";

export interface CapReqReceiver extends GatewayRequestReceiver {
  /** The keys the gateway issued its CapTokens with. */
  readonly capTokenKeys: CapTokenKeys;
  /** At most this many capture items in one CapReq (at most SET's 256). */
  readonly maxItems: number;
}

/** A capture item that passed every check: capture `amount` (minor units) of the authorization. */
export interface CaptureItem {
  readonly kind: "capture";
  readonly item: CapItem;
  readonly token: CapTokenData;
  readonly opaque: CapTokenOpaque;
  /** CapReqAmt and the authorized AuthAmt in minor units of `currency` (ISO 4217 number). */
  readonly amount: bigint;
  readonly authorized: bigint;
  readonly currency: number;
}

export interface RefusedCaptureItem {
  readonly kind: "refused";
  readonly item: CapItem;
  readonly capCode: Extract<
    CapCode,
    "capTokenMissing" | "invalidCapToken" | "amountError" | "duplicateRequest"
  >;
  /** Why, for the gateway's log (never a PAN). */
  readonly reason: string;
}

export type JudgedCaptureItem = CaptureItem | RefusedCaptureItem;

interface ReceivedBase extends OpenedCapReq {
  readonly header: MessageHeader;
  /** SHA-256 (hex) over CapReqData and the CapTokenSeq: what tells a retry from a reuse of the RRPID. */
  readonly fingerprint: string;
}

export type ReceivedCapReq =
  | (ReceivedBase & { readonly repeat: true })
  | (ReceivedBase & { readonly repeat: false; readonly items: readonly JudgedCaptureItem[] });

/**
 * The header may state the RRPID, and the TransIDs only when the request captures one
 * transaction (a CapReq of several has no one XID to state).
 */
function protectedIdsOfCapReq(data: CapReqData): ProtectedIds {
  const rrpid = data.capRRTags.rrpid;
  return data.capItemSeq.length === 1 ? protectedIdsOf(data.capItemSeq[0].transIDs, rrpid) : { rrpid };
}

/**
 * Every check of a CapReq, in this order:
 * 1. the message type; `openCapReq`: the encB form, at most `maxItems` items before any work
 *    (messageTooBig), envelope, merchant signature and baggage (one generic decryption failure),
 *    the merchant's two certificates, one CapToken per CapItem; the merchant enrolled for the
 *    brand, and CapRRTags' MerchantID its merID (invalidCertificate, naming its certificate);
 * 2. header ids against the body (wrapperMsgMismatch); the RRPID against the ones taken (a retry
 *    is a repeat: nothing more is judged; a reuse with other content unknownRRPID); for a new
 *    request the header date (messageTooOld/New);
 * 3. each item (`judgeItem`), refusals as CapCodes.
 */
export async function receiveCapReq(
  p: CryptoProvider,
  message: Incoming,
  receiver: CapReqReceiver,
): Promise<ReceivedCapReq> {
  const { wrapper } = asRead(message);
  const body = await bodyOf(p, wrapper, "captureRequest");
  const opened = await openCapReq(p, receiver.gatewayKex, body, receiver.trust, {
    brand: receiver.brand,
    maxItems: receiver.maxItems,
  });
  checkRequestingMerchant(opened, receiver, "CapRRTags", opened.data.capRRTags.merTermIDs.merchantID);
  const header = wrapper.messageHeader;
  const fingerprint = sha256Hex(
    concatBytes([encodeDer(CapReqData, opened.data), encodeDer(CapTokenSeq, [...opened.capTokens])]),
  );
  const base = { ...opened, header, fingerprint };
  const ids = protectedIdsOfCapReq(opened.data);
  if (
    await isRepeatRequest(header, ids, opened.data.capRRTags.rrpid, fingerprint, receiver, "CapRRTags.rrpid")
  )
    return { ...base, repeat: true };
  const items = opened.data.capItemSeq;
  const judged = await Promise.all(
    items.map((item, i) =>
      items.slice(0, i).some((earlier) => bytesEqual(earlier.authRRPID, item.authRRPID))
        ? refused(item, "duplicateRequest", "the same authorization twice in one CapReq")
        : judgeItem(p, item, opened.capTokens[i], opened.merID, receiver.capTokenKeys),
    ),
  );
  return { ...base, repeat: false, items: judged };
}

const refused = (
  item: CapItem,
  capCode: RefusedCaptureItem["capCode"],
  reason: string,
): RefusedCaptureItem => ({ kind: "refused", item, capCode, reason });

/**
 * One item: its CapToken opens with this gateway's keys and was issued for this item's
 * authorization (AuthRRPID), transaction (XID) and merchant (invalidCapToken otherwise); CapReqAmt
 * is a positive amount in the authorization's currency, not above what was authorized, compared
 * exactly in minor units (amountError otherwise, SET's answer to a capture over the authorization).
 */
async function judgeItem(
  p: CryptoProvider,
  item: CapItem,
  capToken: CapToken,
  merID: string,
  keys: CapTokenKeys,
): Promise<JudgedCaptureItem> {
  const token = await openCapTokenFor(p, keys, capToken, {
    authRRPID: item.authRRPID,
    xid: item.transIDs.xid,
    merID,
  });
  if (!token.ok) return refused(item, token.capCode, token.reason);
  const { data, opaque } = token;
  const asked = toMinorUnits(item.capPayload.capReqAmt);
  const authorized = toMinorUnits(data.authAmt);
  if (!asked.ok) return refused(item, "amountError", `CapReqAmt refused: ${asked.reason}`);
  if (!authorized.ok) return refused(item, "invalidCapToken", "the CapToken's AuthAmt is not an amount");
  if (asked.currency.code !== authorized.currency.code)
    return refused(item, "amountError", "CapReqAmt is in another currency than the authorization");
  if (asked.minor > authorized.minor)
    return refused(item, "amountError", "CapReqAmt is over the amount authorized");
  return {
    kind: "capture",
    item,
    token: data,
    opaque,
    amount: asked.minor,
    authorized: authorized.minor,
    currency: asked.currency.code,
  };
}
