/** Embodiment 1: the card company's answer to the merchant, S(P, E1AuthResData). */
import { decodeDer, encodeDer } from "../../asn1/codec";
import type { Trust } from "../../cert/trust";
import type { CryptoProvider } from "../../crypto/provider";
import { S, type Signer, verifyS } from "../../crypto/signedMessage";
import { E1AuthResData } from "../../schema/embodiments";
import { SetLab } from "../../schema/oids";
import { checkPartyCertificate } from "../partyCertificate";
import {
  type EmbodimentIncoming,
  embodimentBodyOf,
  expectSame,
  readEmbodiment,
  wrapEmbodiment,
} from "./envelope";

export async function signE1AuthRes(
  p: CryptoProvider,
  gateway: Signer,
  data: E1AuthResData,
  date: Date,
): Promise<Uint8Array> {
  const signed = await S(p, gateway, SetLab.e1AuthRes, encodeDer(E1AuthResData, data));
  return wrapEmbodiment({ type: "e1AuthRes", value: signed }, date);
}

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
  const wrapper = readEmbodiment(message);
  const signed = embodimentBodyOf(wrapper, "e1AuthRes");
  const verified = await verifyS(p, signed, { contentType: SetLab.e1AuthRes });
  await checkPartyCertificate(p, verified.signerCertificate, verified.certificates, receiver.trust, {
    role: "pgwy",
    use: "signature",
    brand: expected.brand,
  });
  const data = decodeDer(E1AuthResData, verified.content, "E1AuthResData");
  expectSame(data.authRRPID, expected.authRRPID, "unknownRRPID", "E1AuthResData.authRRPID");
  expectSame(data.xid, expected.xid, "unknownXID", "E1AuthResData.xid");
  return data;
}
