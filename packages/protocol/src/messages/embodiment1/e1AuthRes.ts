/** Embodiment 1: the card company's answer to the merchant, S(P, E1AuthResData). */
import type { Trust } from "../../cert/trust";
import type { CryptoProvider } from "../../crypto/provider";
import { E1AuthResData } from "../../schema/embodiments";
import { SetLab } from "../../schema/oids";
import { checkPartyCertificate } from "../partyCertificate";
import { type EmbodimentIncoming, expectSame } from "./envelope";
import { signedEmbodiment } from "./signedEmbodiment";

const e1AuthRes = signedEmbodiment("e1AuthRes", SetLab.e1AuthRes, E1AuthResData);

export const signE1AuthRes = e1AuthRes.sign;

export interface E1AuthResExpectations {
  readonly authRRPID: Uint8Array;
  readonly xid: Uint8Array;
  /** The brand whose gateway the merchant asked. */
  readonly brand: string;
}

/**
 * Every check of the answer: the message type (a refusal: RemoteSetError); the gateway's
 * signature (signatureFailure); the signer a payment gateway signature certificate of the brand,
 * chained to the pinned root (invalidCertificate ...); the AuthRRPID of the request
 * (unknownRRPID) and its XID (unknownXID). Answers are judged by what they echo, not their date.
 */
export async function receiveE1AuthRes(
  p: CryptoProvider,
  message: EmbodimentIncoming,
  expected: E1AuthResExpectations,
  receiver: { readonly trust: Trust },
): Promise<E1AuthResData> {
  const { data } = await e1AuthRes.open(p, message, undefined, (verified) =>
    checkPartyCertificate(p, verified.signerCertificate, verified.certificates, receiver.trust, {
      role: "pgwy",
      use: "signature",
      brand: expected.brand,
    }),
  );
  expectSame(data.authRRPID, expected.authRRPID, "unknownRRPID", "E1AuthResData.authRRPID");
  expectSame(data.xid, expected.xid, "unknownXID", "E1AuthResData.xid");
  return data;
}
