/**
 * The gateway receives CapRevReq, CredReq or CredRevReq (digest 3.7): one receive for the three,
 * as they share one shape; `receiveCapRevReq`, `receiveCredReq` and `receiveCredRevReq` name the
 * kind. Protocol failures are SetErrors; what SET answers per item with a CapRevOrCredCode (a
 * CapToken missing, invalid or not this item's, an amount that cannot be this item's, the same
 * authorization twice) comes back as a refused item. What the ledger says of the capture is judged
 * afterwards, against the gateway's current record, by `judgeAgainstCapture`.
 */
import { encodeDer } from "../asn1/codec";
import { bytesEqual, concatBytes } from "../asn1/tlv";
import { sha256Hex } from "../cert/digest";
import type { CryptoProvider } from "../crypto/provider";
import { toMinorUnits } from "../money/amount";
import type { MessageHeader } from "../schema/header";
import {
  type CapRevOrCredCode,
  CapRevOrCredReqData,
  type CapRevOrCredReqItem,
  type CapToken,
  type CapTokenData,
  type CapTokenOpaque,
  CapTokenSeq,
} from "../schema/payment";
import {
  type CapRevOrCredKind,
  type CapRevOrCredReq,
  capRevOrCredKinds,
  type OpenedCapRevOrCredReq,
  openCapRevOrCredReq,
} from "./capRevOrCred";
import { type CapTokenKeys, openCapTokenFor } from "./capToken";
import { checkRequestingMerchant, type GatewayRequestReceiver, isRepeatRequest } from "./gatewayRequest";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { type ProtectedIds, protectedIdsOf } from "./wrapperIds";

export interface CapRevOrCredReqReceiver extends GatewayRequestReceiver {
  /** The keys the gateway issued its CapTokens with. */
  readonly capTokenKeys: CapTokenKeys;
  /** At most this many items in one request (at most SET's 256). */
  readonly maxItems: number;
}

/** An item that passed every check of the message: what it asks of the capture it names. */
export interface CapRevOrCredItem {
  readonly kind: "accepted";
  readonly item: CapRevOrCredReqItem;
  readonly token: CapTokenData;
  readonly opaque: CapTokenOpaque;
  /** ISO 4217 number of the authorization's currency; every amount below is in its minor units. */
  readonly currency: number;
  /** The capture the item names (its CapPayload's CapReqAmt). */
  readonly captured: bigint;
  /** CapRevOrCredReqAmt; absent only for a capture reversal, which then reverses all of the capture. */
  readonly amount?: bigint;
}

export type CapRevOrCredRefusal = Extract<
  CapRevOrCredCode,
  "missingCapToken" | "invalidCapToken" | "amountError" | "capDataMismatch" | "duplicateRequest"
>;

export interface RefusedCapRevOrCredItem {
  readonly kind: "refused";
  readonly item: CapRevOrCredReqItem;
  readonly code: CapRevOrCredRefusal;
  /** Why, for the gateway's log (never a PAN). */
  readonly reason: string;
}

export type JudgedCapRevOrCredItem = CapRevOrCredItem | RefusedCapRevOrCredItem;

interface ReceivedBase extends OpenedCapRevOrCredReq {
  readonly kind: CapRevOrCredKind;
  readonly header: MessageHeader;
  /** SHA-256 (hex) over the data and the CapTokenSeq: what tells a retry from a reuse of the RRPID. */
  readonly fingerprint: string;
}

export type ReceivedCapRevOrCredReq =
  | (ReceivedBase & { readonly repeat: true })
  | (ReceivedBase & { readonly repeat: false; readonly items: readonly JudgedCapRevOrCredItem[] });

/** The header may state the RRPID, and the TransIDs only for a request of one item. */
function protectedIdsOfRequest(data: CapRevOrCredReqData): ProtectedIds {
  const rrpid = data.capRevOrCredRRTags.rrpid;
  const items = data.capRevOrCredReqItemSeq;
  return items.length === 1 ? protectedIdsOf(items[0].transIDs, rrpid) : { rrpid };
}

/**
 * Every check of the request, in this order:
 * 1. the message type (another is messageNotSupported); `openCapRevOrCredReq`: the encB form, at
 *    most `maxItems` items before any work (messageTooBig), envelope, signature and baggage (one
 *    generic decryption failure), the merchant's two certificates (role, brand, chain,
 *    revocation), one CapToken per item; the merchant enrolled for the brand and the RRTags'
 *    MerchantID its merID (invalidCertificate, naming its certificate);
 * 2. header ids against the body (wrapperMsgMismatch); the RRPID against those taken (a retry is
 *    a repeat and nothing more is judged; a reuse with other content is unknownRRPID); for a new
 *    request the header date (messageTooOld/New);
 * 3. each item (`judgeItem`), refusals as CapRevOrCredCodes; the same authorization twice in one
 *    request is duplicateRequest.
 */
export async function receiveCapRevOrCredReq(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  message: Incoming,
  receiver: CapRevOrCredReqReceiver,
): Promise<ReceivedCapRevOrCredReq> {
  const { wrapper } = asRead(message);
  const body = (await bodyOf(p, wrapper, capRevOrCredKinds[kind].requestType)) as CapRevOrCredReq;
  const opened = await openCapRevOrCredReq(p, kind, receiver.gatewayKex, body, receiver.trust, {
    brand: receiver.brand,
    maxItems: receiver.maxItems,
  });
  const rrTags = opened.data.capRevOrCredRRTags;
  checkRequestingMerchant(opened, receiver, "CapRevOrCredRRTags", rrTags.merTermIDs.merchantID);
  const header = wrapper.messageHeader;
  const fingerprint = sha256Hex(
    concatBytes([encodeDer(CapRevOrCredReqData, opened.data), encodeDer(CapTokenSeq, [...opened.capTokens])]),
  );
  const base = { ...opened, kind, header, fingerprint };
  const ids = protectedIdsOfRequest(opened.data);
  if (await isRepeatRequest(header, ids, rrTags.rrpid, fingerprint, receiver, "CapRevOrCredRRTags.rrpid"))
    return { ...base, repeat: true };
  const items = opened.data.capRevOrCredReqItemSeq;
  const judged = await Promise.all(
    items.map((item, i) =>
      items.slice(0, i).some((earlier) => bytesEqual(earlier.authRRPID, item.authRRPID))
        ? refused(item, "duplicateRequest", "the same authorization twice in one request")
        : judgeItem(p, kind, item, opened.capTokens[i], opened.merID, receiver.capTokenKeys),
    ),
  );
  return { ...base, repeat: false, items: judged };
}

const refused = (
  item: CapRevOrCredReqItem,
  code: CapRevOrCredRefusal,
  reason: string,
): RefusedCapRevOrCredItem => ({ kind: "refused", item, code, reason });

/**
 * One item: its CapToken opens with this gateway's keys (missingCapToken, invalidCapToken) and was
 * issued for this item's authorization, transaction and merchant (invalidCapToken); the capture
 * it names (CapPayload.CapReqAmt) is an amount in the authorization's currency not above AuthAmt
 * (capDataMismatch); CapRevOrCredReqAmt, required for a credit and a credit reversal, is a
 * positive whole number of minor units in that currency (amountError). Compared in minor units.
 */
async function judgeItem(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  item: CapRevOrCredReqItem,
  capToken: CapToken,
  merID: string,
  keys: CapTokenKeys,
): Promise<JudgedCapRevOrCredItem> {
  const token = await openCapTokenFor(p, keys, capToken, {
    authRRPID: item.authRRPID,
    xid: item.transIDs.xid,
    merID,
  });
  if (!token.ok)
    return refused(
      item,
      token.capCode === "capTokenMissing" ? "missingCapToken" : "invalidCapToken",
      token.reason,
    );
  const { data, opaque } = token;
  const authorized = toMinorUnits(data.authAmt);
  if (!authorized.ok) return refused(item, "invalidCapToken", "the CapToken's AuthAmt is not an amount");
  const currency = authorized.currency.code;
  const captured = toMinorUnits(item.capPayload.capReqAmt);
  if (!captured.ok || captured.currency.code !== currency || captured.minor > authorized.minor)
    return refused(item, "capDataMismatch", "CapPayload names no capture this authorization allows");
  const asked = item.capRevOrCredReqAmt;
  if (asked === undefined) {
    if (kind !== "captureReversal")
      return refused(item, "amountError", "a credit or a credit reversal must state CapRevOrCredReqAmt");
    return { kind: "accepted", item, token: data, opaque, currency, captured: captured.minor };
  }
  const amount = toMinorUnits(asked);
  if (!amount.ok) return refused(item, "amountError", `CapRevOrCredReqAmt refused: ${amount.reason}`);
  if (amount.currency.code !== currency)
    return refused(item, "amountError", "CapRevOrCredReqAmt is in another currency than the authorization");
  return {
    kind: "accepted",
    item,
    token: data,
    opaque,
    currency,
    captured: captured.minor,
    amount: amount.minor,
  };
}
