/** The merchant receives AuthRes (digest 3.5, patent steps S50-S52). */
import { bytesEqual } from "../asn1/tlv";
import { sha256 } from "../cert/digest";
import { sameParty } from "../cert/sameParty";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import { namingCertificate, SetError } from "../errors";
import { checkTransIDs } from "../purchase/transIDs";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import type { AuthResBaggage, AuthResData } from "../schema/payment";
import { openAuthRes } from "./authRes";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { checkWrapperIds, protectedIdsOf } from "./wrapperIds";

/** What the merchant asked for in its AuthReq. */
export interface AuthResExpectations {
  readonly authRRPID: Uint8Array;
  readonly transIDs: TransIDs;
  readonly authReqAmt: CurrencyAmount;
  /** The brand of the order: the gateway's certificate must be of it. */
  readonly brand?: string;
  /**
   * The gateway key-exchange certificate (DER) the AuthReq was sealed to: the AuthRes must be
   * signed by that gateway (same subject, same issuing CA), not by any gateway of the brand.
   */
  readonly gateway: Uint8Array;
}

export interface AuthResReceiver {
  /** The merchant's key-exchange key the AuthReq's certificate named. */
  readonly decrypter: Decrypter;
  readonly trust: Trust;
  readonly understoodExtensions?: readonly string[];
}

/**
 * What the answer means, decided on AuthAmt (SET lets the issuer approve less than asked):
 * `approved`, AuthCode approved for exactly the amount asked; `partial`, AuthCode approved for a
 * positive amount below it (the merchant must treat and show it as a partial authorization, never
 * as the purchase approved); `declined`, any other AuthCode, or an approval of nothing (AuthAmt 0
 * authorizes nothing); `overAmount`, an approval for more than was asked (or in another currency
 * or exponent), which the merchant must not take as an authorization.
 */
export type AuthResVerdict = "approved" | "partial" | "declined" | "overAmount";

function verdictOf(authCode: string, amt: CurrencyAmount, asked: CurrencyAmount): AuthResVerdict {
  if (authCode !== "approved") return "declined";
  if (amt.currency !== asked.currency || amt.amtExp10 !== asked.amtExp10 || amt.amount > asked.amount)
    return "overAmount";
  if (amt.amount === asked.amount) return "approved";
  return amt.amount > 0 ? "partial" : "declined";
}

export interface ReceivedAuthRes {
  readonly data: AuthResData;
  readonly baggage: AuthResBaggage;
  readonly gateway: SetCertificate;
  readonly header: MessageHeader;
  readonly verdict: AuthResVerdict;
}

/**
 * Every check of an AuthRes (digest 6, "Merchant"): the message type (an Error is the gateway's
 * answer: RemoteSetError); `openAuthRes` (envelope, signature and baggage as the one decryption
 * failure, the gateway's pgwy signature certificate of the brand and its chain, carried
 * certificates); the signer the gateway the AuthReq was sealed to (invalidCertificate, naming
 * the signer); header ids against AuthTags (wrapperMsgMismatch); AuthTags' RRPID ours
 * (unknownRRPID) and TransIDs ours (unknownXID, unknownLID, wrapperMsgMismatch); then AuthAmt
 * against the amount asked for (the verdict).
 */
export async function receiveAuthRes(
  p: CryptoProvider,
  message: Incoming,
  expected: AuthResExpectations,
  receiver: AuthResReceiver,
): Promise<ReceivedAuthRes> {
  const { wrapper } = asRead(message, receiver.understoodExtensions);
  const body = await bodyOf(p, wrapper, "authorizationResponse", {
    trust: receiver.trust,
    roles: ["pgwy"],
    ...(expected.brand !== undefined ? { brand: expected.brand } : {}),
  });
  const { data, baggage, gateway } = await openAuthRes(p, receiver.decrypter, body, receiver.trust, {
    ...(expected.brand !== undefined ? { brand: expected.brand } : {}),
  });
  if (!sameParty(gateway, parseSetCertificate(expected.gateway)))
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        "the AuthRes is signed by another gateway than the one the AuthReq was sealed to",
        gateway.where,
      ),
      sha256(gateway.tbs),
    );
  const tags = data.authTags;
  checkWrapperIds(wrapper.messageHeader, protectedIdsOf(tags.transIDs, tags.authRRTags.rrpid));
  if (!bytesEqual(tags.authRRTags.rrpid, expected.authRRPID))
    throw new SetError(
      "unknownRRPID",
      "AuthTags.authRRTags.rrpid is not our AuthReq's",
      "AuthResData.authTags",
    );
  checkTransIDs(tags.transIDs, expected.transIDs, "AuthResData.authTags.transIDs");
  const header = data.authResPayload.authHeader;
  const verdict = verdictOf(header.authCode, header.authAmt, expected.authReqAmt);
  return { data, baggage, gateway, header: wrapper.messageHeader, verdict };
}
