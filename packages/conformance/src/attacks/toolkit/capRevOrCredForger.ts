/**
 * An adversary's capture reversals, credits and credit reversals: an authorization approved and
 * captured by the running gateway, a CapRevReq, CredReq or CredRevReq built over any items, dates
 * and tokens, and the answer read as its merchant reads it.
 */
import {
  type CapRevOrCredKind,
  type CapRevOrCredRes,
  capRevOrCredKinds,
  openCapRevOrCredRes,
  readError,
  type Signer,
  schema as s,
  type schema,
  sealCapRevOrCredReq,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { AttackTarget } from "../attack";
import type { AuthReqForger } from "./authReqForger";
import {
  approvedAuthorization,
  capReqOf,
  describeCapture,
  type HeldAuthorization,
  labMerchant,
  type MerchantKeys,
  sendCapReq,
} from "./capReqForger";
import { postSetRaw } from "./gatewayProbe";

/** An authorization the gateway approved and captured in full. */
export async function capturedAuthorization(
  target: AttackTarget,
  f: AuthReqForger,
  amount: number,
): Promise<HeldAuthorization> {
  const a = await approvedAuthorization(target, f, amount);
  const { answer } = await sendCapReq(target, f, (await capReqOf(f, f.p, [{ of: a, amount }])).bytes);
  if (answer.type !== "capRes" || answer.codes[0] !== "success")
    throw new Error(`the genuine capture failed: ${describeCapture(answer)}`);
  return a;
}

export interface CapRevOrCredItem {
  readonly of: HeldAuthorization;
  /** The capture the item names (CapPayload.CapReqAmt). */
  readonly captured: number;
  /** CapRevOrCredReqAmt; absent for a whole capture reversal. */
  readonly amount?: number;
  /** CapRevOrCredReqDate: the same date names the same request. */
  readonly date?: Date;
  /** NewBatchID: the batch the item is asked into. */
  readonly newBatchID?: number;
}

export async function capRevOrCredReqOf(
  f: AuthReqForger,
  kind: CapRevOrCredKind,
  items: readonly CapRevOrCredItem[],
  options: { merchant?: MerchantKeys; rrpid?: Uint8Array } = {},
): Promise<{ bytes: Uint8Array; rrpid: Uint8Array }> {
  const merchant = options.merchant ?? labMerchant;
  const rrpid = options.rrpid ?? f.p.random(20);
  const now = wholeSeconds(new Date());
  const data: schema.CapRevOrCredReqData = {
    capRevOrCredRRTags: { rrpid, merTermIDs: { merchantID: merchant.merID }, currentDate: now },
    capRevOrCredReqItemSeq: items.map((i) => ({
      transIDs: i.of.transIDs,
      authRRPID: i.of.authRRPID,
      capPayload: { capDate: now, capReqAmt: { ...i.of.authAmt, amount: i.captured } },
      ...(i.newBatchID !== undefined ? { newBatchID: i.newBatchID } : {}),
      capRevOrCredReqDate: i.date ?? now,
      ...(i.amount !== undefined ? { capRevOrCredReqAmt: { ...i.of.authAmt, amount: i.amount } } : {}),
      newAccountInd: false,
    })),
  };
  const signer: Signer = await f.signer(merchant.signer);
  const withKex: Signer = { ...signer, chain: [f.pki.certificate(merchant.kex), ...(signer.chain ?? [])] };
  const sealed = await sealCapRevOrCredReq(
    f.p,
    kind,
    withKex,
    f.gatewayKex("Visa"),
    data,
    items.map((i) => i.of.capToken),
  );
  const bytes = wrapMessage(
    { type: capRevOrCredKinds[kind].requestType, value: sealed } as Parameters<typeof wrapMessage>[0],
    { rrpid },
    { date: now },
  );
  return { bytes, rrpid };
}

export type CapRevOrCredAnswer =
  | { readonly type: "answer"; readonly codes: readonly string[] }
  | { readonly type: "error"; readonly code: string }
  | { readonly type: "unreadable"; readonly reason: string };

/** Send the request; the raw answer and what its merchant reads from it. */
export async function sendCapRevOrCred(
  target: AttackTarget,
  f: AuthReqForger,
  kind: CapRevOrCredKind,
  bytes: Uint8Array,
  merchant: MerchantKeys = labMerchant,
): Promise<{ raw: Uint8Array; answer: CapRevOrCredAnswer }> {
  const raw = (await postSetRaw(`${target.gatewayUrl}/set`, bytes)).body;
  try {
    const w = s.decodeMessage(raw);
    if (w.message.type === "error")
      return { raw, answer: { type: "error", code: (await readError(f.p, w.message.value)).code } };
    if (w.message.type !== capRevOrCredKinds[kind].responseType)
      return { raw, answer: { type: "unreadable", reason: w.message.type } };
    const decrypter = {
      certificate: f.pki.certificate(merchant.kex),
      privateKey: await f.pki.privateKey(merchant.kex, "keyEncipherment", f.p),
    };
    const trust = { pinnedRoot: f.pki.root(), at: new Date(), intermediates: f.pki.intermediates() };
    const opened = await openCapRevOrCredRes(f.p, kind, decrypter, w.message.value as CapRevOrCredRes, trust);
    return {
      raw,
      answer: {
        type: "answer",
        codes: opened.data.capRevOrCredResItemSeq.map((i) =>
          String(i.capRevOrCredResPayload.capRevOrCredCode),
        ),
      },
    };
  } catch (e) {
    return { raw, answer: { type: "unreadable", reason: (e as Error).message.split("\n")[0] ?? "" } };
  }
}

export const describeCapRevOrCred = (a: CapRevOrCredAnswer) =>
  a.type === "answer"
    ? `answer [${a.codes.join(", ")}]`
    : a.type === "error"
      ? `SET Error ${a.code}`
      : `unreadable (${a.reason})`;

/** The code the answer carries: its first item's CapRevOrCredCode, or the SET Error's. */
export const capRevOrCredSignal = (a: CapRevOrCredAnswer) =>
  a.type === "answer" ? a.codes[0] : a.type === "error" ? a.code : undefined;
