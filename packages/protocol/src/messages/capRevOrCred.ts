/**
 * CapRevReq, CredReq and CredRevReq share one shape (digest 3.7): EncB(M, P, CapRevOrCredReqData,
 * CapTokenSeq), one CapToken per item, and their answers Enc(P, M, CapRevOrCredResData). Only the
 * content types and the wrapper's message type tell the three apart; this file seals and opens
 * them all, and each message's own file (capRev.ts, cred.ts, credRev.ts) names its kind.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { refuseUnvalidatedCarried } from "../cert/carriedCertificates";
import type { SetCertificate } from "../cert/setCertificate";
import type { Trust } from "../cert/trust";
import { Enc } from "../crypto/enc";
import { type BaggageTypes, EncB } from "../crypto/encB";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { SetError } from "../errors";
import type { MessageType } from "../schema/message";
import { ContentType } from "../schema/oids";
import {
  type CapReq,
  type CapRes,
  CapRevOrCredReqData,
  CapRevOrCredResData,
  type CapToken,
  CapTokenSeq,
} from "../schema/payment";
import { openSealed, openSealedEnc } from "./checks";
import { checkMerchantCertificates, type MerchantCertificates } from "./merchantCertificates";
import { checkPartyCertificate } from "./partyCertificate";

/** Which of the three: a capture reversal, a credit (refund), or a credit reversal. */
export type CapRevOrCredKind = "captureReversal" | "credit" | "creditReversal";

/** CapRevReq, CredReq and CredRevReq have CapReq's two forms (the `CapEncB` pair). */
export type CapRevOrCredReq = CapReq;
/** CapRevRes, CredRes and CredRevRes are Enc(P, M, CapRevOrCredResData), as CapRes is. */
export type CapRevOrCredRes = CapRes;

interface KindOf {
  /** SET's name of the request, for errors and `where`. */
  readonly request: string;
  readonly response: string;
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
    requestTypes: {
      signed: ContentType.CapRevReqTBS,
      enveloped: ContentType.CapRevReqTBE,
      baggage: ContentType.CapTokenSeq,
    },
    responseTypes: { signed: ContentType.CapRevResData, enveloped: ContentType.CapRevResTBE },
  },
  credit: {
    request: "CredReq",
    response: "CredRes",
    requestType: "creditRequest",
    responseType: "creditResponse",
    requestTypes: {
      signed: ContentType.CredReqTBS,
      enveloped: ContentType.CredReqTBE,
      baggage: ContentType.CapTokenSeq,
    },
    responseTypes: { signed: ContentType.CredResData, enveloped: ContentType.CredResTBE },
  },
  creditReversal: {
    request: "CredRevReq",
    response: "CredRevRes",
    requestType: "creditReversalRequest",
    responseType: "creditReversalResponse",
    requestTypes: {
      signed: ContentType.CredRevReqTBS,
      enveloped: ContentType.CredRevReqTBE,
      baggage: ContentType.CapTokenSeq,
    },
    responseTypes: { signed: ContentType.CredRevResData, enveloped: ContentType.CredRevResTBE },
  },
};

/**
 * The request in the encB form, sealed to the gateway's key-exchange certificate; as for CapReq,
 * the merchant's key-exchange certificate must ride in `merchant.chain` (the answer is sealed to it).
 */
export async function sealCapRevOrCredReq(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: CapRevOrCredReqData,
  capTokens: readonly CapToken[],
): Promise<CapRevOrCredReq> {
  const sealed = await EncB(
    p,
    merchant,
    gatewayKexCertificate,
    capRevOrCredKinds[kind].requestTypes,
    encodeDer(CapRevOrCredReqData, data),
    encodeDer(CapTokenSeq, [...capTokens]),
  );
  return { type: "encB", value: { envelope: sealed.envelope, capTokenSeq: [...capTokens] } };
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
  options: { readonly brand?: string; readonly maxItems: number },
): Promise<OpenedCapRevOrCredReq> {
  const k = capRevOrCredKinds[kind];
  if (request.type !== "encB")
    throw new SetError(
      "messageNotSupported",
      `${k.request} in the EncBX form is not supported`,
      `${k.request}.encBX`,
    );
  const { envelope, capTokenSeq } = request.value;
  if (capTokenSeq.length > options.maxItems)
    throw new SetError(
      "messageTooBig",
      `a ${k.request} of ${capTokenSeq.length} items, over the ${options.maxItems} taken at once`,
      `${k.request}.capTokenSeq`,
    );
  const opened = await openSealed(p, gateway, envelope, encodeDer(CapTokenSeq, capTokenSeq), k.requestTypes);
  const certificates = await checkMerchantCertificates(
    p,
    opened.signerCertificate,
    opened.certificates,
    trust,
    {
      ...(options.brand !== undefined ? { brand: options.brand } : {}),
      message: k.request,
    },
  );
  const data = decodeDer(CapRevOrCredReqData, opened.content, "CapRevOrCredReqData");
  if (data.capRevOrCredReqItemSeq.length !== capTokenSeq.length)
    throw new SetError(
      "decodingFailure",
      `a ${k.request} must carry one CapToken per item`,
      `${k.request}.capTokenSeq`,
    );
  return { data, capTokens: capTokenSeq, ...certificates };
}

/** The answer, Enc(P, M, CapRevOrCredResData), sealed to the key-exchange certificate the request carried. */
export function sealCapRevOrCredRes(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  gateway: Signer,
  merchantKexCertificate: Uint8Array,
  data: CapRevOrCredResData,
): Promise<CapRevOrCredRes> {
  return Enc(
    p,
    gateway,
    merchantKexCertificate,
    capRevOrCredKinds[kind].responseTypes,
    encodeDer(CapRevOrCredResData, data),
  );
}

export interface OpenedCapRevOrCredRes {
  readonly data: CapRevOrCredResData;
  readonly gateway: SetCertificate;
}

/**
 * The merchant opens an answer with its key-exchange key: envelope and signature (the one generic
 * decryption failure), the gateway's pgwy signature certificate and chain (of the brand when
 * given), no carried certificate off its path, the data decoded strictly.
 */
export async function openCapRevOrCredRes(
  p: CryptoProvider,
  kind: CapRevOrCredKind,
  merchant: Decrypter,
  response: CapRevOrCredRes,
  trust: Trust,
  options: { readonly brand?: string } = {},
): Promise<OpenedCapRevOrCredRes> {
  const k = capRevOrCredKinds[kind];
  const opened = await openSealedEnc(p, merchant, response, k.responseTypes);
  const chain = await checkPartyCertificate(p, opened.signerCertificate, opened.certificates, trust, {
    role: "pgwy",
    use: "signature",
    ...(options.brand !== undefined ? { brand: options.brand } : {}),
  });
  refuseUnvalidatedCarried(opened.certificates, [chain], `${k.response}.certificates`);
  return { data: decodeDer(CapRevOrCredResData, opened.content, "CapRevOrCredResData"), gateway: chain.leaf };
}
