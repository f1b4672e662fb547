/** The merchant receives AuthRevRes (digest 3.7). */
import { bytesEqual } from "../asn1/tlv";
import { sha256 } from "../cert/digest";
import { sameParty } from "../cert/sameParty";
import { parseSetCertificate, type SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import { namingCertificate, SetError } from "../errors";
import type { CurrencyAmount } from "../schema/common";
import type { MessageHeader } from "../schema/header";
import type { AuthResPayload, AuthRevResData, CapToken } from "../schema/payment";
import { openAuthRevRes } from "./authRevRes";
import { asRead, bodyOf, type Incoming } from "./incoming";
import { newAmountOf } from "./receiveAuthRevReq";
import { checkWrapperIds } from "./wrapperIds";

/** What the merchant asked for in its AuthRevReq. */
export interface AuthRevResExpectations {
  readonly authRevRRPID: Uint8Array;
  readonly authNewAmt: CurrencyAmount;
  readonly brand?: string;
  /** The gateway key-exchange certificate (DER) the AuthRevReq was sealed to: its gateway must sign. */
  readonly gateway: Uint8Array;
}

export interface AuthRevResReceiver {
  readonly decrypter: Decrypter;
  readonly trust: Trust;
  readonly understoodExtensions?: readonly string[];
}

/**
 * What the answer means: `reversed`, approved for exactly the new amount asked (the authorization
 * now stands at it; zero: cancelled); `refused`, any other AuthRevCode (the authorization is as it
 * was); `amountMismatch`, an approval for another amount or currency than asked, or an approved
 * reduction without the new CapToken and AuthResPayloadNew for that amount, which the merchant
 * must not book.
 */
export type AuthRevVerdict = "reversed" | "refused" | "amountMismatch";

export interface ReceivedAuthRevRes {
  readonly data: AuthRevResData;
  readonly gateway: SetCertificate;
  readonly header: MessageHeader;
  readonly verdict: AuthRevVerdict;
  /** For a reduction booked: the CapToken and AuthResPayload the authorization now has. */
  readonly capTokenNew?: CapToken;
  readonly authResPayloadNew?: AuthResPayload;
}

const sameAmount = (a: CurrencyAmount, b: CurrencyAmount) => {
  const x = newAmountOf(a);
  const y = newAmountOf(b);
  return x.ok && y.ok && x.currency === y.currency && x.minor === y.minor;
};

function verdictOf(data: AuthRevResData, hasCapToken: boolean, asked: CurrencyAmount): AuthRevVerdict {
  if (data.authRevCode !== "approved") return "refused";
  if (!sameAmount(data.authNewAmt, asked)) return "amountMismatch";
  if (asked.amount === 0) return "reversed";
  const payload = data.authResPayloadNew;
  const whole = hasCapToken && payload !== undefined && sameAmount(payload.authHeader.authAmt, asked);
  return whole ? "reversed" : "amountMismatch";
}

/**
 * Every check of an AuthRevRes: the message type (an Error is the gateway's answer:
 * RemoteSetError); `openAuthRevRes` (envelope, signature and baggage as the one decryption
 * failure, the gateway's pgwy signature certificate of the brand and its chain, carried
 * certificates); the signer the gateway the AuthRevReq was sealed to (invalidCertificate, naming
 * the signer); the header RRPID against the body's (wrapperMsgMismatch); AuthRevRRTags' RRPID
 * ours (unknownRRPID); then the AuthRevCode and AuthNewAmt against what was asked (the verdict).
 */
export async function receiveAuthRevRes(
  p: CryptoProvider,
  message: Incoming,
  expected: AuthRevResExpectations,
  receiver: AuthRevResReceiver,
): Promise<ReceivedAuthRevRes> {
  const { wrapper } = asRead(message, receiver.understoodExtensions);
  const brand = expected.brand !== undefined ? { brand: expected.brand } : {};
  const body = await bodyOf(p, wrapper, "authReversalResponse", {
    trust: receiver.trust,
    roles: ["pgwy"],
    ...brand,
  });
  const { data, baggage, gateway } = await openAuthRevRes(p, receiver.decrypter, body, receiver.trust, brand);
  if (!sameParty(gateway, parseSetCertificate(expected.gateway)))
    throw namingCertificate(
      new SetError(
        "invalidCertificate",
        "the AuthRevRes is signed by another gateway than the one the AuthRevReq was sealed to",
        gateway.where,
      ),
      sha256(gateway.tbs),
    );
  const rrpid = data.authRevTags.authRevRRTags.rrpid;
  checkWrapperIds(wrapper.messageHeader, { rrpid });
  if (!bytesEqual(rrpid, expected.authRevRRPID))
    throw new SetError(
      "unknownRRPID",
      "AuthRevRRTags.rrpid is not our AuthRevReq's",
      "AuthRevResData.authRevTags",
    );
  const verdict = verdictOf(data, baggage.capTokenNew !== undefined, expected.authNewAmt);
  const booked =
    verdict === "reversed" && expected.authNewAmt.amount !== 0
      ? { capTokenNew: baggage.capTokenNew!, authResPayloadNew: data.authResPayloadNew! }
      : {};
  return { data, gateway, header: wrapper.messageHeader, verdict, ...booked };
}
