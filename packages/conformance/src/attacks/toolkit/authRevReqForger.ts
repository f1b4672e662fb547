/**
 * An adversary's authorization reversals: an AuthRevReq over an authorization the running gateway
 * approved (`approvedAuthorization`), with any new amount, CapToken and merchant, and the
 * AuthRevRes read as that merchant reads it.
 */
import {
  type CryptoProvider,
  openAuthRevRes,
  readError,
  type Signer,
  schema as s,
  type schema,
  sealAuthRevReq,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { AttackTarget } from "../attack";
import type { AuthReqForger } from "./authReqForger";
import { type HeldAuthorization, labMerchant, type MerchantKeys } from "./capReqForger";
import { postSetRaw } from "./gatewayProbe";

export type ReversalAnswer =
  | { readonly type: "authRevRes"; readonly code: string }
  | { readonly type: "error"; readonly code: string }
  | { readonly type: "unreadable"; readonly reason: string };

export interface ReversalOptions {
  /** The new authorized amount (same currency and exponent as AuthAmt); default 0, a cancellation. */
  readonly newAmount?: number;
  /** Another CapToken than the authorization's own; null sends none. */
  readonly token?: schema.CapToken | null;
  readonly merchant?: MerchantKeys;
}

/** An AuthRevReq for `of`, signed by `options.merchant` (its key-exchange certificate carried). */
export async function authRevReqOf(
  f: AuthReqForger,
  p: CryptoProvider,
  of: HeldAuthorization,
  options: ReversalOptions = {},
): Promise<Uint8Array> {
  const merchant = options.merchant ?? labMerchant;
  const rrpid = p.random(20);
  const date = wholeSeconds(new Date());
  const data: schema.AuthRevReqData = {
    authRevTags: { authRevRRTags: { rrpid, merTermIDs: { merchantID: merchant.merID }, currentDate: date } },
    authReqData: of.authReqData,
    authResPayload: of.authResPayload,
    authNewAmt: { ...of.authAmt, amount: options.newAmount ?? 0 },
  };
  const signer: Signer = await f.signer(merchant.signer);
  const withKex: Signer = { ...signer, chain: [f.pki.certificate(merchant.kex), ...(signer.chain ?? [])] };
  const token = options.token === null ? undefined : (options.token ?? of.capToken);
  const sealed = await sealAuthRevReq(p, withKex, f.gatewayKex("Visa"), data, of.piDer, token);
  return wrapMessage(
    { type: "authReversalRequest", value: sealed },
    { rrpid, lid_C: of.transIDs.lid_C, xid: of.transIDs.xid },
    { date },
  );
}

/** Send an AuthRevReq; the raw answer and what its merchant reads from it. */
export async function sendAuthRevReq(
  target: AttackTarget,
  f: AuthReqForger,
  bytes: Uint8Array,
  merchant: MerchantKeys = labMerchant,
): Promise<{ raw: Uint8Array; answer: ReversalAnswer }> {
  const raw = (await postSetRaw(`${target.gatewayUrl}/set`, bytes)).body;
  try {
    const w = s.decodeMessage(raw);
    if (w.message.type === "error")
      return { raw, answer: { type: "error", code: (await readError(f.p, w.message.value)).code } };
    if (w.message.type !== "authReversalResponse")
      return { raw, answer: { type: "unreadable", reason: w.message.type } };
    const decrypter = {
      certificate: f.pki.certificate(merchant.kex),
      privateKey: await f.pki.privateKey(merchant.kex, "keyEncipherment", f.p),
    };
    const trust = { pinnedRoot: f.pki.root(), at: new Date(), intermediates: f.pki.intermediates() };
    const opened = await openAuthRevRes(f.p, decrypter, w.message.value, trust);
    return { raw, answer: { type: "authRevRes", code: String(opened.data.authRevCode) } };
  } catch (e) {
    return { raw, answer: { type: "unreadable", reason: (e as Error).message.split("\n")[0] ?? "" } };
  }
}

export const describeReversal = (a: ReversalAnswer) =>
  a.type === "authRevRes"
    ? `AuthRevRes ${a.code}`
    : a.type === "error"
      ? `SET Error ${a.code}`
      : `unreadable (${a.reason})`;
