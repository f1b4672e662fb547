/**
 * CredRevReq/CredRevRes, the credit reversal: the merchant takes back a credit given in error,
 * never more than stands credited. The pair shares its shape with the capture reversal and the
 * credit (capRevOrCred.ts): CredRevReq = EncB(M, P, CapRevOrCredReqData, CapTokenSeq), CredRevRes
 * = Enc(P, M, CapRevOrCredResData).
 */
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import type { CapRevOrCredReqData, CapRevOrCredResData, CapToken } from "../schema/payment";
import {
  type CapRevOrCredReq,
  type CapRevOrCredRes,
  sealCapRevOrCredReq,
  sealCapRevOrCredRes,
} from "./capRevOrCred";
import type { Incoming } from "./incoming";
import {
  type CapRevOrCredReqReceiver,
  type ReceivedCapRevOrCredReq,
  receiveCapRevOrCredReq,
} from "./receiveCapRevOrCredReq";
import {
  type CapRevOrCredResExpectations,
  type CapRevOrCredResReceiver,
  type ReceivedCapRevOrCredRes,
  receiveCapRevOrCredRes,
} from "./receiveCapRevOrCredRes";

/** CredRevReq, sealed to the gateway; the merchant's key-exchange certificate rides in `merchant.chain`. */
export function sealCredRevReq(
  p: CryptoProvider,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: CapRevOrCredReqData,
  capTokens: readonly CapToken[],
): Promise<CapRevOrCredReq> {
  return sealCapRevOrCredReq(p, "creditReversal", merchant, gatewayKexCertificate, data, capTokens);
}

/** The gateway receives a CredRevReq: every check of `receiveCapRevOrCredReq`. */
export function receiveCredRevReq(
  p: CryptoProvider,
  message: Incoming,
  receiver: CapRevOrCredReqReceiver,
): Promise<ReceivedCapRevOrCredReq> {
  return receiveCapRevOrCredReq(p, "creditReversal", message, receiver);
}

/** CredRevRes, sealed to the merchant key-exchange certificate the CredRevReq carried. */
export function sealCredRevRes(
  p: CryptoProvider,
  gateway: Signer,
  merchantKexCertificate: Uint8Array,
  data: CapRevOrCredResData,
): Promise<CapRevOrCredRes> {
  return sealCapRevOrCredRes(p, "creditReversal", gateway, merchantKexCertificate, data);
}

/** The merchant receives a CredRevRes: every check of `receiveCapRevOrCredRes`. */
export function receiveCredRevRes(
  p: CryptoProvider,
  message: Incoming,
  expected: CapRevOrCredResExpectations,
  receiver: CapRevOrCredResReceiver,
): Promise<ReceivedCapRevOrCredRes> {
  return receiveCapRevOrCredRes(p, "creditReversal", message, expected, receiver);
}
