/**
 * Embodiment 2: the card answers the shop with its own certificate and a key for the session key,
 * S(C, E2CardHelloData). The key is a fresh RSA-OAEP key the card made for this transaction: its
 * signature key only signs.
 */
import type { SetCertificate } from "../../cert/setCertificate";
import type { Trust } from "../../cert/trust";
import type { CryptoProvider } from "../../crypto/provider";
import { oaepPublicKey } from "../../crypto/suite";
import { SetError } from "../../errors";
import { checkCardholderCertificate } from "../../purchase/cardholderCertificate";
import { E2CardHelloData } from "../../schema/embodiments";
import { SetLab } from "../../schema/oids";
import { type EmbodimentIncoming, expectSame } from "../embodiment1/envelope";
import { signedEmbodiment } from "../embodiment1/signedEmbodiment";

const e2CardHello = signedEmbodiment("e2CardHello", SetLab.e2CardHello, E2CardHelloData);

/** The smallest RSA modulus the card's key may have. */
export const minCardKeyBits = 2048;

export const signE2CardHello = e2CardHello.sign;

export interface E2CardHelloExpectations {
  readonly xid: Uint8Array;
  readonly chall_M: Uint8Array;
  readonly brands: readonly string[];
}

export interface ReceivedE2CardHello {
  readonly data: E2CardHelloData;
  readonly cardholder: SetCertificate;
}

/**
 * Every check of the card's hello: the message type (a refusal: RemoteSetError); the date; the
 * card's signature (signatureFailure); the signer a cardholder chained to the pinned root, with
 * revocation when the Trust carries it (invalidCertificate ...), of a brand the shop takes
 * (unspecifiedFailure); the XID (unknownXID) and Chall-M (challengeMismatch) of the hello; the
 * card's key an RSA key of at least 2048 bits (decodingFailure).
 */
export async function receiveE2CardHello(
  p: CryptoProvider,
  message: EmbodimentIncoming,
  expected: E2CardHelloExpectations | ((xid: Uint8Array) => Promise<E2CardHelloExpectations | undefined>),
  receiver: { readonly trust: Trust; readonly now: Date; readonly maxClockSkewMs?: number },
): Promise<ReceivedE2CardHello> {
  const { data, signer: cardholder } = await e2CardHello.open(p, message, receiver, (verified) =>
    checkCardholderCertificate(p, verified.signerCertificate, verified.certificates, receiver.trust),
  );
  const issued = typeof expected === "function" ? await expected(data.xid) : expected;
  if (!issued)
    throw new SetError("unknownXID", "no hello of this merchant has this XID", "E2CardHelloData.xid");
  if (cardholder.brand === undefined || !issued.brands.includes(cardholder.brand))
    throw new SetError("unspecifiedFailure", "the shop does not take this card's brand", "E2CardHello");
  expectSame(data.xid, issued.xid, "unknownXID", "E2CardHelloData.xid");
  expectSame(data.chall_M, issued.chall_M, "challengeMismatch", "E2CardHelloData.chall-M");
  const key = await oaepPublicKey(p, data.cardKey);
  if (!key || key.modulusBits < minCardKeyBits)
    throw new SetError(
      "decodingFailure",
      "the card's key is not an RSA key of 2048 bits or more",
      "E2CardHelloData.cardKey",
    );
  return { data, cardholder };
}
