/**
 * An adversary's batch administration: a BatchAdminReq signed with any merchant keys it holds,
 * naming any MerchantID and batch, and the answer read as that merchant reads it; and the
 * gateway's view of a batch (its settlement route: 409 while open, the report once closed).
 */
import {
  openBatchAdminRes,
  readError,
  type Signer,
  schema as s,
  type schema,
  sealBatchAdminReq,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { AttackTarget } from "../attack";
import type { AuthReqForger } from "./authReqForger";
import { labMerchant, type MerchantKeys } from "./capReqForger";
import { postSetRaw } from "./gatewayProbe";
import { getJson } from "./labHttp";

export type BatchAdminAnswer =
  | { readonly type: "batchAdminRes"; readonly code: string; readonly batchID: number }
  | { readonly type: "error"; readonly code: string }
  | { readonly type: "unreadable"; readonly reason: string };

/** A BatchAdminReq signed by `merchant`, naming `merID` (default its own) in BatchAdminRRTags. */
export async function batchAdminReqOf(
  f: AuthReqForger,
  operation: schema.BatchOperation,
  batchID: number,
  options: { merchant?: MerchantKeys; merID?: string } = {},
): Promise<Uint8Array> {
  const merchant = options.merchant ?? labMerchant;
  const rrpid = f.p.random(20);
  const date = wholeSeconds(new Date());
  const data: schema.BatchAdminReqData = {
    batchAdminRRTags: {
      rrpid,
      merTermIDs: { merchantID: options.merID ?? merchant.merID },
      currentDate: date,
    },
    batchID,
    batchOperation: operation,
  };
  const signer: Signer = await f.signer(merchant.signer);
  const withKex: Signer = { ...signer, chain: [f.pki.certificate(merchant.kex), ...(signer.chain ?? [])] };
  const sealed = await sealBatchAdminReq(f.p, withKex, f.gatewayKex("Visa"), data);
  return wrapMessage({ type: "batchAdministrationRequest", value: sealed }, { rrpid }, { date });
}

export async function sendBatchAdminReq(
  target: AttackTarget,
  f: AuthReqForger,
  bytes: Uint8Array,
  merchant: MerchantKeys = labMerchant,
): Promise<BatchAdminAnswer> {
  const raw = (await postSetRaw(`${target.gatewayUrl}/set`, bytes)).body;
  try {
    const w = s.decodeMessage(raw);
    if (w.message.type === "error")
      return { type: "error", code: (await readError(f.p, w.message.value)).code };
    if (w.message.type !== "batchAdministrationResponse")
      return { type: "unreadable", reason: w.message.type };
    const decrypter = {
      certificate: f.pki.certificate(merchant.kex),
      privateKey: await f.pki.privateKey(merchant.kex, "keyEncipherment", f.p),
    };
    const opened = await openBatchAdminRes(f.p, decrypter, w.message.value, {
      pinnedRoot: f.pki.root(),
      at: new Date(),
      intermediates: f.pki.intermediates(),
    });
    return { type: "batchAdminRes", code: opened.data.batchAdminCode, batchID: opened.data.batchID };
  } catch (e) {
    return { type: "unreadable", reason: (e as Error).message.split("\n")[0] ?? "" };
  }
}

export const describeBatchAdmin = (a: BatchAdminAnswer) =>
  a.type === "batchAdminRes"
    ? `BatchAdminRes ${a.code} (batch ${a.batchID})`
    : a.type === "error"
      ? `SET Error ${a.code}`
      : `unreadable (${a.reason})`;

/** The gateway's view of a merchant's batch: HTTP status of its settlement route and the report. */
export async function batchWitness(target: AttackTarget, merID: string, batchID: number): Promise<string> {
  const { status, body } = await getJson<unknown>(
    `${target.gatewayAdmin.url}/admin/batches/${encodeURIComponent(merID)}/${batchID}/settlement`,
    target.gatewayAdmin,
  );
  return JSON.stringify({ status, body });
}
