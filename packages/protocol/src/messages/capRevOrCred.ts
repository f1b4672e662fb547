/**
 * CapRevReq, CredReq and CredRevReq share one shape (digest 3.7): EncB(M, P, CapRevOrCredReqData,
 * CapTokenSeq), one CapToken per item, and their answers Enc(P, M, CapRevOrCredResData). Only the
 * content types and the wrapper's message type tell the three apart; this file seals and opens
 * them all, and capRevAndCred.ts names each kind's functions.
 */
import type { Trust } from "../cert/trust";
import type { BaggageTypes } from "../crypto/encB";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import type { MessageType } from "../schema/message";
import type { CapReq, CapRes, CapRevOrCredReqData, CapRevOrCredResData, CapToken } from "../schema/payment";
import { encBMessages, type OpenCapFamilyOptions, openEncBMessage, sealEncBMessage } from "./encBMessages";
import { encFunctions, encMessages, type OpenedEncMessage } from "./encMessages";
import type { MerchantCertificates } from "./merchantCertificates";
import type { OpenSealedOptions } from "./sealedSender";

/** Which of the three: a capture reversal, a credit (refund), or a credit reversal. */
export type CapRevOrCredKind = "captureReversal" | "credit" | "creditReversal";

/** CapRevReq, CredReq and CredRevReq have CapReq's two forms (the `CapEncB` pair). */
export type CapRevOrCredReq = CapReq;
/** CapRevRes, CredRes and CredRevRes are Enc(P, M, CapRevOrCredResData), as CapRes is. */
export type CapRevOrCredRes = CapRes;

interface KindOf {
  /** SET's name of the request, for errors and `where`, and its row in encBMessages. */
  readonly request: "CapRevReq" | "CredReq" | "CredRevReq";
  /** SET's name of the response, and its row in encMessages. */
  readonly response: "CapRevRes" | "CredRes" | "CredRevRes";
  readonly requestType: MessageType;
  readonly responseType: MessageType;
  readonly requestTypes: BaggageTypes;
  readonly responseTypes: { readonly signed: string; readonly enveloped: string };
}

export const capRevOrCredKinds: Readonly<Record<CapRevOrCredKind, KindOf>> = {
  captureReversal: {
    request: "CapRevReq",
    response: "CapRevRes",
    requestType: "captureReversalRequest",
    responseType: "captureReversalResponse",
    requestTypes: encBMessages.CapRevReq.types,
    responseTypes: encMessages.CapRevRes.types,
  },
  credit: {
    request: "CredReq",
    response: "CredRes",
    requestType: "creditRequest",
    responseType: "creditResponse",
    requestTypes: encBMessages.CredReq.types,
    responseTypes: encMessages.CredRes.types,
  },
  creditReversal: {
    request: "CredRevReq",
    response: "CredRevRes",
    requestType: "creditReversalRequest",
    responseType: "creditReversalResponse",
    requestTypes: encBMessages.CredRevReq.types,
    responseTypes: encMessages.CredRevRes.types,
  },
};

/**
 * The request in the encB form, sealed to the gateway's key-exchange certificate; as for CapReq,
 * the merchant's key-exchange certificate must ride in `merchant.chain` (the answer is sealed to it).
 */
export function sealCapRevOrCredReq(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: CapRevOrCredReqData,
  capTokens: readonly CapToken[],
): Promise<CapRevOrCredReq> {
  const row = encBMessages[capRevOrCredKinds[kind].request];
  return sealEncBMessage(row, p, merchant, gatewayKexCertificate, data, [...capTokens]);
}

export interface OpenedCapRevOrCredReq extends MerchantCertificates {
  readonly data: CapRevOrCredReqData;
  readonly capTokens: readonly CapToken[];
}

/**
 * The gateway opens one of the three requests, as `openCapReq` does a CapReq: the EncBX form is
 * messageNotSupported; more CapTokens than `maxItems` is messageTooBig before any work; then the
 * envelope, the merchant's signature and the baggage (one generic decryption failure), the
 * merchant's two certificates, the data decoded strictly, one CapToken per item (decodingFailure).
 */
export async function openCapRevOrCredReq(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  gateway: Decrypter,
  request: CapRevOrCredReq,
  trust: Trust,
  options: OpenCapFamilyOptions,
): Promise<OpenedCapRevOrCredReq> {
  const row = encBMessages[capRevOrCredKinds[kind].request];
  const { baggage, ...opened } = await openEncBMessage(row, p, gateway, request, trust, options);
  return { ...opened, capTokens: baggage };
}

/** The answer, Enc(P, M, CapRevOrCredResData), sealed to the key-exchange certificate the request carried. */
export function sealCapRevOrCredRes(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  gateway: Signer,
  merchantKexCertificate: Uint8Array,
  data: CapRevOrCredResData,
): Promise<CapRevOrCredRes> {
  return encFunctions(encMessages[capRevOrCredKinds[kind].response]).seal(
    p,
    gateway,
    merchantKexCertificate,
    data,
  );
}

export type OpenedCapRevOrCredRes = OpenedEncMessage<CapRevOrCredResData, "gateway">;

/**
 * The merchant opens an answer with its key-exchange key: envelope and signature (the one generic
 * decryption failure), the gateway's pgwy signature certificate and chain (of the brand when
 * given), no carried certificate off its path, the data decoded strictly.
 */
export function openCapRevOrCredRes(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  merchant: Decrypter,
  response: CapRevOrCredRes,
  trust: Trust,
  options: OpenSealedOptions = {},
): Promise<OpenedCapRevOrCredRes> {
  return encFunctions(encMessages[capRevOrCredKinds[kind].response]).open(
    p,
    merchant,
    response,
    trust,
    options,
  );
}
