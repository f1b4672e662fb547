/**
 * BatchAdminReq = Enc(M, P, BatchAdminReqData) and BatchAdminRes = Enc(P, M, BatchAdminResData),
 * rows of encMessages.ts: the merchant opens, closes or queries a settlement batch at its gateway
 * (digest 3.7). As for AuthReq and CapReq, the merchant's key-exchange certificate rides with its
 * signature (in `merchant.chain`): the gateway seals its answer to it.
 *
 * The gateway opens a BatchAdminReq: decrypt and verify (one generic decryption failure), the
 * merchant's two certificates (`checkMerchantCertificates`), BatchAdminReqData decoded strictly.
 * The merchant opens a BatchAdminRes: decrypt and verify, the gateway's pgwy signature certificate
 * of the brand and its chain, no carried certificate off its path, BatchAdminResData decoded
 * strictly.
 */
import type { BatchAdminReqData, BatchAdminResData } from "../schema/payment";
import { encFunctions, encMessages, type OpenedEncMessage } from "./encMessages";

export type OpenedBatchAdminReq = OpenedEncMessage<BatchAdminReqData, "merchant">;
export type OpenedBatchAdminRes = OpenedEncMessage<BatchAdminResData, "gateway">;

export const { seal: sealBatchAdminReq, open: openBatchAdminReq } = encFunctions(encMessages.BatchAdminReq);
export const { seal: sealBatchAdminRes, open: openBatchAdminRes } = encFunctions(encMessages.BatchAdminRes);
