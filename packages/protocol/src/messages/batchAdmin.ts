/**
 * BatchAdminReq = Enc(M, P, BatchAdminReqData) and BatchAdminRes = Enc(P, M, BatchAdminResData):
 * the merchant opens, closes or queries a settlement batch at its gateway (digest 3.7). As for
 * AuthReq and CapReq, the merchant's key-exchange certificate rides with its signature: the
 * gateway seals its answer to it.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import type { Trust } from "../cert/trust";
import { Enc, type SignedEnvelopeTypes } from "../crypto/enc";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { ContentType } from "../schema/oids";
import {
  type BatchAdminReq,
  BatchAdminReqData,
  type BatchAdminRes,
  BatchAdminResData,
} from "../schema/payment";
import { openSealedEnc } from "./checks";
import { checkGatewaySigner, type GatewaySigner } from "./gatewaySigner";
import { checkMerchantCertificates, type MerchantCertificates } from "./merchantCertificates";

export const batchAdminReqTypes: SignedEnvelopeTypes = {
  signed: ContentType.BatchAdminReqData,
  enveloped: ContentType.BatchAdminReqTBE,
};

export const batchAdminResTypes: SignedEnvelopeTypes = {
  signed: ContentType.BatchAdminResData,
  enveloped: ContentType.BatchAdminResTBE,
};

/** BatchAdminReq, signed by the merchant (its key-exchange certificate in `merchant.chain`). */
export function sealBatchAdminReq(
  p: CryptoProvider,
  merchant: Signer,
  gatewayKexCertificate: Uint8Array,
  data: BatchAdminReqData,
): Promise<BatchAdminReq> {
  return Enc(p, merchant, gatewayKexCertificate, batchAdminReqTypes, encodeDer(BatchAdminReqData, data));
}

export interface OpenedBatchAdminReq extends MerchantCertificates {
  readonly data: BatchAdminReqData;
}

/**
 * The gateway opens a BatchAdminReq: decrypt and verify (one generic decryption failure), the
 * merchant's two certificates (`checkMerchantCertificates`), BatchAdminReqData decoded strictly.
 */
export async function openBatchAdminReq(
  p: CryptoProvider,
  gateway: Decrypter,
  batchAdminReq: BatchAdminReq,
  trust: Trust,
  options: { readonly brand?: string } = {},
): Promise<OpenedBatchAdminReq> {
  const opened = await openSealedEnc(p, gateway, batchAdminReq, batchAdminReqTypes);
  const certificates = await checkMerchantCertificates(
    p,
    opened.signerCertificate,
    opened.certificates,
    trust,
    { ...(options.brand !== undefined ? { brand: options.brand } : {}), message: "BatchAdminReq" },
  );
  return { data: decodeDer(BatchAdminReqData, opened.content, "BatchAdminReqData"), ...certificates };
}

/** BatchAdminRes, sealed to the key-exchange certificate the BatchAdminReq carried. */
export function sealBatchAdminRes(
  p: CryptoProvider,
  gateway: Signer,
  merchantKexCertificate: Uint8Array,
  data: BatchAdminResData,
): Promise<BatchAdminRes> {
  return Enc(p, gateway, merchantKexCertificate, batchAdminResTypes, encodeDer(BatchAdminResData, data));
}

export interface OpenedBatchAdminRes extends GatewaySigner {
  readonly data: BatchAdminResData;
}

/**
 * The merchant opens a BatchAdminRes: decrypt and verify (one generic decryption failure), the
 * gateway's pgwy signature certificate of the brand and its chain, no carried certificate off its
 * path, BatchAdminResData decoded strictly.
 */
export async function openBatchAdminRes(
  p: CryptoProvider,
  merchant: Decrypter,
  batchAdminRes: BatchAdminRes,
  trust: Trust,
  options: { readonly brand?: string } = {},
): Promise<OpenedBatchAdminRes> {
  const opened = await openSealedEnc(p, merchant, batchAdminRes, batchAdminResTypes);
  const signer = await checkGatewaySigner(p, opened, trust, "BatchAdminRes", options.brand);
  return { data: decodeDer(BatchAdminResData, opened.content, "BatchAdminResData"), ...signer };
}
