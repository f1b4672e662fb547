/**
 * CredReq/CredRes, the credit (a refund): the merchant returns to the cardholder all or part of
 * what a capture took, never more than was captured less what stands credited. The pair shares its
 * shape with the capture reversal and the credit reversal (capRevOrCred.ts): CredReq = EncB(M, P,
 * CapRevOrCredReqData, CapTokenSeq), CredRes = Enc(P, M, CapRevOrCredResData).
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

/** CredReq, sealed to the gateway; the merchant's key-exchange certificate rides in `merchant.chain`. */
export function sealCredReq(
  p: CryptoProvider,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: CapRevOrCredReqData,
  capTokens: readonly CapToken[],
): Promise<CapRevOrCredReq> {
  return sealCapRevOrCredReq(p, "credit", merchant, gatewayKexCertificate, data, capTokens);
}

/** The gateway receives a CredReq: every check of `receiveCapRevOrCredReq`. */
export function receiveCredReq(
  p: CryptoProvider,
  message: Incoming,
  receiver: CapRevOrCredReqReceiver,
): Promise<ReceivedCapRevOrCredReq> {
  return receiveCapRevOrCredReq(p, "credit", message, receiver);
}

/** CredRes, sealed to the merchant key-exchange certificate the CredReq carried. */
export function sealCredRes(
  p: CryptoProvider,
  gateway: Signer,
  merchantKexCertificate: Uint8Array,
  data: CapRevOrCredResData,
): Promise<CapRevOrCredRes> {
  return sealCapRevOrCredRes(p, "credit", gateway, merchantKexCertificate, data);
}

/** The merchant receives a CredRes: every check of `receiveCapRevOrCredRes`. */
export function receiveCredRes(
  p: CryptoProvider,
  message: Incoming,
  expected: CapRevOrCredResExpectations,
  receiver: CapRevOrCredResReceiver,
): Promise<ReceivedCapRevOrCredRes> {
  return receiveCapRevOrCredRes(p, "credit", message, expected, receiver);
}
