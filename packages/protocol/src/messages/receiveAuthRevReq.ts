/**
 * The gateway receives AuthRevReq (digest 3.7): the merchant reduces or cancels an authorization.
 * Protocol failures are SetErrors (the gateway answers them with a SET Error); what SET answers
 * with an AuthRevCode (the original authorization not this gateway's record, a CapToken not the
 * authorization's, a new amount not below what is authorized) comes back as a refusal for the
 * gateway to put in its AuthRevRes.
 */
import { encodeDer } from "../asn1/codec";
import { concatBytes } from "../asn1/tlv";
import { sha256Hex } from "../cert/digest";
import type { CryptoProvider } from "../crypto/provider";
import { toMinorUnits } from "../money/amount";
import { currencyByCode } from "../money/iso4217";
import type { CurrencyAmount } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import {
  AuthReqData,
  type AuthRevCode,
  AuthRevReqBaggage,
  AuthRevReqData,
  type CapTokenData,
  type CapTokenOpaque,
} from "../schema/payment";
import { type OpenedAuthRevReq, openAuthRevReq } from "./authRevReq";
import { type CapTokenKeys, openCapTokenFor } from "./capToken";
import { checkRequestingMerchant, type GatewayRequestReceiver, isRepeatRequest } from "./gatewayRequest";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { protectedIdsOf } from "./wrapperIds";

/** The gateway's record of an authorization, as an AuthRevReq is judged against it. */
export interface RecordedAuthorization {
  /** The fingerprint of the AuthReq that made it: SHA-256 (hex) over AuthReqData DER, then the PI DER. */
  readonly requestHash: string;
  /** What it stands at now (after any earlier reduction), in minor units of `currency`. */
  readonly authorized: bigint;
  /** ISO 4217 numeric. */
  readonly currency: number;
}

export interface AuthRevReqReceiver extends GatewayRequestReceiver {
  /** The keys the gateway issued its CapTokens with. */
  readonly capTokenKeys: CapTokenKeys;
  /** The gateway's record of the authorization with this AuthRRPID, if any. */
  readonly authorizationOf: (
    authRRPID: Uint8Array,
  ) => RecordedAuthorization | undefined | Promise<RecordedAuthorization | undefined>;
}

/** A reversal that passed every check: the authorization goes from `authorized` to `newAmount`. */
export interface AuthReversal {
  readonly kind: "reverse";
  readonly authRRPID: Uint8Array;
  readonly xid: Uint8Array;
  /** Minor units of `currency`; 0 cancels the authorization. */
  readonly newAmount: bigint;
  readonly authorized: bigint;
  readonly currency: number;
  /** The CapToken the request returned, opened, when it carried one. */
  readonly capToken?: { readonly data: CapTokenData; readonly opaque: CapTokenOpaque };
}

export interface RefusedAuthReversal {
  readonly kind: "refused";
  readonly authRRPID: Uint8Array;
  readonly xid: Uint8Array;
  readonly authRevCode: Extract<AuthRevCode, "originalNotFound" | "invalidCapToken" | "amountError">;
  /** Why, for the gateway's log (never a PAN). */
  readonly reason: string;
}

export type JudgedAuthReversal = AuthReversal | RefusedAuthReversal;

interface ReceivedBase extends OpenedAuthRevReq {
  readonly header: MessageHeader;
  /** SHA-256 (hex) over AuthRevReqData and the baggage: what tells a retry from a reuse of the RRPID. */
  readonly fingerprint: string;
}

export type ReceivedAuthRevReq =
  | (ReceivedBase & { readonly repeat: true })
  | (ReceivedBase & { readonly repeat: false; readonly judged: JudgedAuthReversal });

/**
 * AuthNewAmt in minor units: zero (a cancellation) is a valid new amount, which `toMinorUnits`
 * (made for amounts to pay) refuses; anything else as `toMinorUnits` reads it.
 */
export function newAmountOf(
  amt: CurrencyAmount,
): { ok: true; minor: bigint; currency: number } | { ok: false; reason: string } {
  if (amt.amount === 0 && !Object.is(amt.amount, -0)) {
    if (!currencyByCode(amt.currency)) return { ok: false, reason: "unknownCurrency" };
    return { ok: true, minor: 0n, currency: amt.currency };
  }
  const read = toMinorUnits(amt);
  return read.ok ? { ok: true, minor: read.minor, currency: read.currency.code } : read;
}

/** Two new amounts (AuthNewAmt, zero allowed) both valid and equal: one currency, one number of minor units. */
export function sameNewAmount(a: CurrencyAmount, b: CurrencyAmount): boolean {
  const x = newAmountOf(a);
  const y = newAmountOf(b);
  return x.ok && y.ok && x.currency === y.currency && x.minor === y.minor;
}

/**
 * Every check of an AuthRevReq, in this order:
 * 1. the message type; `openAuthRevReq`: envelope, merchant signature and baggage (one generic
 *    decryption failure), the merchant's two certificates; the merchant enrolled for the brand,
 *    and AuthRevRRTags' MerchantID its merID (invalidCertificate, naming its certificate);
 * 2. header ids against the body: the RRPID is AuthRevRRTags', the TransIDs the original
 *    authorization's (wrapperMsgMismatch); the RRPID against the ones taken (a retry is a repeat:
 *    nothing more is judged; a reuse with other content unknownRRPID); for a new request the
 *    header date (messageTooOld/New);
 * 3. the reversal (`judge`), refusals as AuthRevCodes.
 */
export async function receiveAuthRevReq(
  p: CryptoProvider,
  message: Incoming,
  receiver: AuthRevReqReceiver,
): Promise<ReceivedAuthRevReq> {
  const { wrapper } = asRead(message);
  const body = await bodyOf(p, wrapper, "authReversalRequest");
  const opened = await openAuthRevReq(p, receiver.gatewayKex, body, receiver.trust, {
    brand: receiver.brand,
  });
  const { authRevTags, authReqData } = opened.data;
  checkRequestingMerchant(opened, receiver, "AuthRevRRTags", authRevTags.authRevRRTags.merTermIDs.merchantID);
  const header = wrapper.messageHeader;
  const rrpid = authRevTags.authRevRRTags.rrpid;
  const fingerprint = sha256Hex(
    concatBytes([
      encodeDer(AuthRevReqData, opened.data),
      encodeDer(AuthRevReqBaggage, body.authRevReqBaggage),
    ]),
  );
  const base = { ...opened, header, fingerprint };
  const ids = protectedIdsOf(authReqData.authReqItem.authTags.transIDs, rrpid);
  if (await isRepeatRequest(header, ids, rrpid, fingerprint, receiver, "AuthRevRRTags.rrpid"))
    return { ...base, repeat: true };
  return { ...base, repeat: false, judged: await judge(p, opened, receiver) };
}

/**
 * The reversal against the gateway's record: the original AuthReqData is this merchant's, and it
 * and the PI are byte for byte the AuthReq that made the authorization on record (its
 * fingerprint); the AuthResPayload is an approval for what the authorization stands at now
 * (originalNotFound otherwise); a CapToken, when returned, opens with this gateway's keys and was
 * issued for this authorization, transaction and merchant (invalidCapToken); AuthNewAmt is in the
 * authorization's currency, a whole number of minor units, zero or more and below what is
 * authorized, compared exactly (amountError otherwise).
 */
async function judge(
  p: CryptoProvider,
  opened: OpenedAuthRevReq,
  receiver: AuthRevReqReceiver,
): Promise<JudgedAuthReversal> {
  const { authReqData, authResPayload, authNewAmt } = opened.data;
  const tags = authReqData.authReqItem.authTags;
  const authRRPID = tags.authRRTags.rrpid;
  const xid = tags.transIDs.xid;
  const refused = (authRevCode: RefusedAuthReversal["authRevCode"], reason: string): RefusedAuthReversal => ({
    kind: "refused",
    authRRPID,
    xid,
    authRevCode,
    reason,
  });
  if (tags.authRRTags.merTermIDs.merchantID !== opened.merID)
    return refused("originalNotFound", "the original AuthReqData is another merchant's");
  const recorded = await receiver.authorizationOf(authRRPID);
  const originalHash = sha256Hex(concatBytes([encodeDer(AuthReqData, authReqData), opened.piDer]));
  if (!recorded || recorded.requestHash !== originalHash)
    return refused("originalNotFound", "no authorization on record for this AuthReqData and PI");
  const answered = toMinorUnits(authResPayload.authHeader.authAmt);
  if (
    authResPayload.authHeader.authCode !== "approved" ||
    !answered.ok ||
    answered.currency.code !== recorded.currency ||
    answered.minor !== recorded.authorized
  )
    return refused("originalNotFound", "the AuthResPayload is not the authorization as it stands");
  let capToken: AuthReversal["capToken"];
  if (opened.capToken) {
    const token = await openCapTokenFor(p, receiver.capTokenKeys, opened.capToken, {
      authRRPID,
      xid,
      merID: opened.merID,
    });
    if (!token.ok) return refused("invalidCapToken", token.reason);
    capToken = { data: token.data, opaque: token.opaque };
  }
  const asked = newAmountOf(authNewAmt);
  if (!asked.ok) return refused("amountError", `AuthNewAmt refused: ${asked.reason}`);
  if (asked.currency !== recorded.currency)
    return refused("amountError", "AuthNewAmt is in another currency than the authorization");
  if (asked.minor >= recorded.authorized)
    return refused("amountError", "AuthNewAmt is not below the amount authorized");
  return {
    kind: "reverse",
    authRRPID,
    xid,
    newAmount: asked.minor,
    authorized: recorded.authorized,
    currency: recorded.currency,
    ...(capToken ? { capToken } : {}),
  };
}
