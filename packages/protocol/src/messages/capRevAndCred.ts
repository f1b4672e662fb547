/**
 * The three messages of CapRevOrCred's shape (capRevOrCred.ts), each named by its kind:
 * - CapRevReq/CapRevRes, the capture reversal: the merchant undoes a capture made in error, all of
 *   it, before the money moves; the issuer's posting is taken back.
 * - CredReq/CredRes, the credit (a refund): the merchant returns to the cardholder all or part of
 *   what a capture took, never more than was captured less what stands credited.
 * - CredRevReq/CredRevRes, the credit reversal: the merchant takes back a credit given in error,
 *   never more than stands credited.
 * Each request is EncB(M, P, CapRevOrCredReqData, CapTokenSeq), each response Enc(P, M,
 * CapRevOrCredResData); the merchant's key-exchange certificate rides in `merchant.chain` and the
 * response is sealed to it. Receiving runs every check of `receiveCapRevOrCredReq`/`Res`.
 */
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import type { CapRevOrCredReqData, CapRevOrCredResData, CapToken } from "../schema/payment";
import {
  type CapRevOrCredKind,
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

/** One kind's four functions: seal and receive its request, seal and receive its response. */
interface CapRevOrCredPair {
  sealReq(
    p: CryptoProvider,
    merchant: Signer,
    gatewayKexCertificate: Uint8Array,
    data: CapRevOrCredReqData,
    capTokens: readonly CapToken[],
  ): Promise<CapRevOrCredReq>;
  receiveReq(
    p: CryptoProvider,
    message: Incoming,
    receiver: CapRevOrCredReqReceiver,
  ): Promise<ReceivedCapRevOrCredReq>;
  sealRes(
    p: CryptoProvider,
    gateway: Signer,
    merchantKexCertificate: Uint8Array,
    data: CapRevOrCredResData,
  ): Promise<CapRevOrCredRes>;
  receiveRes(
    p: CryptoProvider,
    message: Incoming,
    expected: CapRevOrCredResExpectations,
    receiver: CapRevOrCredResReceiver,
  ): Promise<ReceivedCapRevOrCredRes>;
}

function pairOf(kind: CapRevOrCredKind): CapRevOrCredPair {
  return {
    sealReq: (p, merchant, gatewayKexCertificate, data, capTokens) =>
      sealCapRevOrCredReq(p, kind, merchant, gatewayKexCertificate, data, capTokens),
    receiveReq: (p, message, receiver) => receiveCapRevOrCredReq(p, kind, message, receiver),
    sealRes: (p, gateway, merchantKexCertificate, data) =>
      sealCapRevOrCredRes(p, kind, gateway, merchantKexCertificate, data),
    receiveRes: (p, message, expected, receiver) =>
      receiveCapRevOrCredRes(p, kind, message, expected, receiver),
  };
}

export const {
  sealReq: sealCapRevReq,
  receiveReq: receiveCapRevReq,
  sealRes: sealCapRevRes,
  receiveRes: receiveCapRevRes,
} = pairOf("captureReversal");

export const {
  sealReq: sealCredReq,
  receiveReq: receiveCredReq,
  sealRes: sealCredRes,
  receiveRes: receiveCredRes,
} = pairOf("credit");

export const {
  sealReq: sealCredRevReq,
  receiveReq: receiveCredRevReq,
  sealRes: sealCredRevRes,
  receiveRes: receiveCredRevRes,
} = pairOf("creditReversal");
