/**
 * CapRevReq/CapRevRes, the capture reversal: the merchant undoes a capture made in error, all of
 * it, before the money moves; the issuer's posting is taken back. The pair shares its shape with
 * the credit and the credit reversal (capRevOrCred.ts): CapRevReq = EncB(M, P,
 * CapRevOrCredReqData, CapTokenSeq), CapRevRes = Enc(P, M, CapRevOrCredResData).
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

/** CapRevReq, sealed to the gateway; the merchant's key-exchange certificate rides in `merchant.chain`. */
export function sealCapRevReq(
  p: CryptoProvider,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: CapRevOrCredReqData,
  capTokens: readonly CapToken[],
): Promise<CapRevOrCredReq> {
  return sealCapRevOrCredReq(p, "captureReversal", merchant, gatewayKexCertificate, data, capTokens);
}

/** The gateway receives a CapRevReq: every check of `receiveCapRevOrCredReq`. */
export function receiveCapRevReq(
  p: CryptoProvider,
  message: Incoming,
  receiver: CapRevOrCredReqReceiver,
): Promise<ReceivedCapRevOrCredReq> {
  return receiveCapRevOrCredReq(p, "captureReversal", message, receiver);
}

/** CapRevRes, sealed to the merchant key-exchange certificate the CapRevReq carried. */
export function sealCapRevRes(
  p: CryptoProvider,
  gateway: Signer,
  merchantKexCertificate: Uint8Array,
  data: CapRevOrCredResData,
): Promise<CapRevOrCredRes> {
  return sealCapRevOrCredRes(p, "captureReversal", gateway, merchantKexCertificate, data);
}

/** The merchant receives a CapRevRes: every check of `receiveCapRevOrCredRes`. */
export function receiveCapRevRes(
  p: CryptoProvider,
  message: Incoming,
  expected: CapRevOrCredResExpectations,
  receiver: CapRevOrCredResReceiver,
): Promise<ReceivedCapRevOrCredRes> {
  return receiveCapRevOrCredRes(p, "captureReversal", message, expected, receiver);
}
