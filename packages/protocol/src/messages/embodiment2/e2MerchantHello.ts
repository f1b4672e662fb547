/**
 * Embodiment 2: the shop sends its certificate first, S(M, E2MerchantHelloData); the card checks
 * the shop (chain to its pinned root, role, brand) before it gives anything of its own.
 */
import type { SetCertificate } from "../../cert/setCertificate";
import type { Trust } from "../../cert/trust";
import type { CryptoProvider } from "../../crypto/provider";
import { SetError } from "../../errors";
import { E2MerchantHelloData } from "../../schema/embodiments";
import { SetLab } from "../../schema/oids";
import { type EmbodimentIncoming, expectSame } from "../embodiment1/envelope";
import { signedEmbodiment } from "../embodiment1/signedEmbodiment";
import { checkPartyCertificate } from "../partyCertificate";

const e2MerchantHello = signedEmbodiment("e2MerchantHello", SetLab.e2MerchantHello, E2MerchantHelloData);

export const signE2MerchantHello = e2MerchantHello.sign;

export interface E2MerchantHelloExpectations {
  /** The card's brand: the shop must take it, and the merchant's certificate must be of it. */
  readonly brand: string;
  readonly lid_M?: Uint8Array;
}

export interface ReceivedE2MerchantHello {
  readonly data: E2MerchantHelloData;
  readonly merchant: SetCertificate;
}

/**
 * Every check of the shop's hello: the message type (a refusal: RemoteSetError); the date
 * (messageTooOld / messageTooNew); the merchant's signature (signatureFailure); the signer a
 * merchant signature certificate of the card's brand chained to the pinned root, with revocation
 * when the Trust carries it (invalidCertificate ...); the LID-M chosen (unknownLID); the card's
 * brand among the shop's (unspecifiedFailure).
 */
export async function receiveE2MerchantHello(
  p: CryptoProvider,
  message: EmbodimentIncoming,
  expected: E2MerchantHelloExpectations,
  receiver: { readonly trust: Trust; readonly now: Date; readonly maxClockSkewMs?: number },
): Promise<ReceivedE2MerchantHello> {
  const { data, signer: chain } = await e2MerchantHello.open(p, message, receiver, (verified) =>
    checkPartyCertificate(p, verified.signerCertificate, verified.certificates, receiver.trust, {
      role: "mer",
      use: "signature",
      brand: expected.brand,
    }),
  );
  if (expected.lid_M) expectSame(data.lid_M, expected.lid_M, "unknownLID", "E2MerchantHelloData.lid-M");
  if (!data.brands.includes(expected.brand))
    throw new SetError(
      "unspecifiedFailure",
      "the shop does not take the card's brand",
      "E2MerchantHelloData.brands",
    );
  return { data, merchant: chain.leaf };
}
