/**
 * Embodiment 1: the card's answer, S(C, E1CardInfo): its certificate and card information, signed
 * by the cardholder's signature key. The merchant checks the certificate (chain to the pinned
 * root, role, revocation) and that the card answered this request.
 */

import type { SetCertificate } from "../../cert/setCertificate";
import type { Trust } from "../../cert/trust";
import type { CryptoProvider } from "../../crypto/provider";
import { SetError } from "../../errors";
import { checkCardholderCertificate } from "../../purchase/cardholderCertificate";
import type { CurrencyAmount } from "../../schema/common";
import { E1CardInfo } from "../../schema/embodiments";
import { SetLab } from "../../schema/oids";
import { type EmbodimentIncoming, expectSame, sameAmount } from "./envelope";
import { signedEmbodiment } from "./signedEmbodiment";

const e1InfoRes = signedEmbodiment("e1InfoRes", SetLab.e1CardInfo, E1CardInfo);

/** The card signs its card information and wraps it. */
export const signE1InfoRes = e1InfoRes.sign;

/** What the merchant issued in its E1InfoReq for this order. */
export interface E1InfoResExpectations {
  readonly lid_M: Uint8Array;
  readonly xid: Uint8Array;
  readonly chall_M: Uint8Array;
  readonly purchAmt: CurrencyAmount;
  /** The brands the shop takes. */
  readonly brands: readonly string[];
}

export interface E1InfoResReceiver {
  readonly trust: Trust;
  readonly now: Date;
  readonly maxClockSkewMs?: number;
}

export interface ReceivedE1InfoRes {
  readonly info: E1CardInfo;
  readonly cardholder: SetCertificate;
  /** The card's SignedData exactly as it came: the gateway checks the card's own signature. */
  readonly signedCardInfo: Uint8Array;
}

/**
 * Every check of the card's answer: the message type (a refusal: RemoteSetError); the date
 * (messageTooOld / messageTooNew); the card's signature over E1CardInfo (signatureFailure, another
 * content type included); the signer a cardholder chained to the pinned root, with revocation
 * when the Trust carries it (invalidCertificate, expiredCertificate, revokedCertificate); the
 * certificate's brand the one the card names, and one the shop takes (invalidCertificate,
 * unspecifiedFailure); LID-M (unknownLID), XID (unknownXID), Chall-M (challengeMismatch) of the
 * request; the amount the card signed the one asked (unspecifiedFailure). A receiver that keeps
 * several requests open passes a lookup by the XID the card signed instead of one request's
 * values: an XID it did not issue is unknownXID.
 */
export async function receiveE1InfoRes(
  p: CryptoProvider,
  message: EmbodimentIncoming,
  expected: E1InfoResExpectations | ((xid: Uint8Array) => Promise<E1InfoResExpectations | undefined>),
  receiver: E1InfoResReceiver,
): Promise<ReceivedE1InfoRes> {
  const {
    data: info,
    signer: cardholder,
    signed: signedCardInfo,
  } = await e1InfoRes.open(p, message, receiver, (verified) =>
    checkCardholderCertificate(p, verified.signerCertificate, verified.certificates, receiver.trust),
  );
  const issued = typeof expected === "function" ? await expected(info.xid) : expected;
  if (!issued) throw new SetError("unknownXID", "no request of this merchant has this XID", "E1CardInfo.xid");
  checkCardInfo(info, cardholder, issued);
  return { info, cardholder, signedCardInfo };
}

/** The card information against the certificate that signed it and the request it answers. */
export function checkCardInfo(
  info: E1CardInfo,
  cardholder: SetCertificate,
  expected: Omit<E1InfoResExpectations, "chall_M" | "lid_M"> &
    Partial<Pick<E1InfoResExpectations, "chall_M" | "lid_M">>,
): void {
  if (cardholder.brand !== info.brandID)
    throw new SetError(
      "invalidCertificate",
      "the card's certificate is of another brand",
      "E1CardInfo.brandID",
    );
  if (!expected.brands.includes(info.brandID))
    throw new SetError("unspecifiedFailure", "the shop does not take this brand", "E1CardInfo.brandID");
  if (expected.lid_M) expectSame(info.lid_M, expected.lid_M, "unknownLID", "E1CardInfo.lid-M");
  expectSame(info.xid, expected.xid, "unknownXID", "E1CardInfo.xid");
  if (expected.chall_M) expectSame(info.chall_M, expected.chall_M, "challengeMismatch", "E1CardInfo.chall-M");
  if (!sameAmount(info.purchAmt, expected.purchAmt))
    throw new SetError("unspecifiedFailure", "the card signed another amount", "E1CardInfo.purchAmt");
}
