/**
 * Embodiment 1, last message: the merchant's signed outcome, S(M, E1ResultData), relayed to the
 * card. The card has not seen the merchant's certificate before this: it checks it here.
 */
import type { SetCertificate } from "../../cert/setCertificate";
import type { Trust } from "../../cert/trust";
import type { CryptoProvider } from "../../crypto/provider";
import { E1ResultData } from "../../schema/embodiments";
import { SetLab } from "../../schema/oids";
import { checkPartyCertificate } from "../partyCertificate";
import { type EmbodimentIncoming, expectSame } from "./envelope";
import { signedEmbodiment } from "./signedEmbodiment";

const e1Result = signedEmbodiment("e1Result", SetLab.e1Result, E1ResultData);

export const signE1Result = e1Result.sign;

export interface E1ResultExpectations {
  readonly xid: Uint8Array;
  readonly chall_C: Uint8Array;
  /** The card's brand. */
  readonly brand: string;
}

export interface ReceivedE1Result {
  readonly data: E1ResultData;
  readonly merchant: SetCertificate;
}

/**
 * Every check of the outcome: the message type (a refusal: RemoteSetError); the merchant's
 * signature (signatureFailure); the signer a merchant signature certificate of the card's brand,
 * chained to the pinned root (invalidCertificate ...); the XID of the request the card answered
 * (unknownXID) and the card's own Chall-C (challengeMismatch).
 */
export async function receiveE1Result(
  p: CryptoProvider,
  message: EmbodimentIncoming,
  expected: E1ResultExpectations,
  receiver: { readonly trust: Trust },
): Promise<ReceivedE1Result> {
  const { data, signer: chain } = await e1Result.open(p, message, undefined, (verified) =>
    checkPartyCertificate(p, verified.signerCertificate, verified.certificates, receiver.trust, {
      role: "mer",
      use: "signature",
      brand: expected.brand,
    }),
  );
  expectSame(data.xid, expected.xid, "unknownXID", "E1ResultData.xid");
  expectSame(data.chall_C, expected.chall_C, "challengeMismatch", "E1ResultData.chall-C");
  return { data, merchant: chain.leaf };
}
