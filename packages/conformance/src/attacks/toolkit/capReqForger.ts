/**
 * An adversary's captures: an authorization approved by the running gateway (as the lab merchant
 * or another merchant whose keys it holds), the CapToken its AuthRes carried, a CapReq built over
 * any items and tokens, and the CapRes read as that merchant reads it.
 */
import {
  type CryptoProvider,
  openAuthRes,
  openCapRes,
  readError,
  type Signer,
  schema as s,
  type schema,
  sealCapReq,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { AttackTarget } from "../attack";
import { type AuthReqForger, labMerID } from "./authReqForger";
import { postSetRaw } from "./gatewayProbe";

/** An authorization as its merchant holds it. */
export interface HeldAuthorization {
  readonly transIDs: schema.TransIDs;
  readonly authRRPID: Uint8Array;
  readonly authAmt: schema.CurrencyAmount;
  readonly capToken: schema.CapToken;
  readonly xidHex: string;
  /** What an AuthRevReq returns of it: the AuthReq's AuthReqData and PI, the AuthRes's payload. */
  readonly authReqData: schema.AuthReqData;
  readonly piDer: Uint8Array;
  readonly authResPayload: schema.AuthResPayload;
}

export interface CaptureItem {
  readonly of: HeldAuthorization;
  readonly amount: number;
  /** Another CapToken than the authorization's own. */
  readonly token?: schema.CapToken;
}

export type CaptureAnswer =
  | { readonly type: "capRes"; readonly codes: readonly string[] }
  | { readonly type: "error"; readonly code: string }
  | { readonly type: "unreadable"; readonly reason: string };

/** The merchant whose keys an attack uses: the lab merchant unless said otherwise. */
export interface MerchantKeys {
  readonly signer: string;
  readonly kex: string;
  readonly merID: string;
}

export const labMerchant: MerchantKeys = {
  signer: "visa/merchant/signature",
  kex: "visa/merchant/key-exchange",
  merID: labMerID,
};

/** The attack fixture's second merchant: valid certificates of its own, the same acquirer. */
export const merchantB: MerchantKeys = {
  signer: "attack/visa/merchant-b/signature",
  kex: "attack/visa/merchant-b/key-exchange",
  merID: "SETLAB-MER-0002",
};

const gatewaySet = (target: AttackTarget) => `${target.gatewayUrl}/set`;

async function decrypterOf(f: AuthReqForger, kex: string) {
  return {
    certificate: f.pki.certificate(kex),
    privateKey: await f.pki.privateKey(kex, "keyEncipherment", f.p),
  };
}

const trustOf = (f: AuthReqForger) => ({
  pinnedRoot: f.pki.root(),
  at: new Date(),
  intermediates: f.pki.intermediates(),
});

/**
 * A fresh purchase of `amount` approved by the gateway for `merchant`; with `sale`, asked with
 * CaptureNow and captured by the gateway with the authorization.
 */
export async function approvedAuthorization(
  target: AttackTarget,
  f: AuthReqForger,
  amount: number,
  merchant: MerchantKeys = labMerchant,
  options: { readonly sale?: boolean } = {},
): Promise<HeldAuthorization> {
  const req = await f.forge({
    amount,
    ...(merchant === labMerchant ? {} : { merchantSignerId: merchant.signer, merID: merchant.merID }),
    ...(options.sale
      ? {
          merchant: (parts) => {
            parts.authReqData = { ...parts.authReqData, captureNow: true };
          },
        }
      : {}),
  });
  const answer = await postSetRaw(gatewaySet(target), req.bytes);
  const w = s.decodeMessage(answer.body);
  if (w.message.type !== "authorizationResponse") throw new Error(`no AuthRes but ${w.message.type}`);
  const opened = await openAuthRes(f.p, await decrypterOf(f, merchant.kex), w.message.value, trustOf(f));
  const header = opened.data.authResPayload.authHeader;
  if (header.authCode !== "approved" || !opened.baggage.capToken)
    throw new Error(`the genuine authorization was not approved with a CapToken (${header.authCode})`);
  if (options.sale && opened.data.authResPayload.capResPayload?.capCode !== "success")
    throw new Error("the genuine sale was not captured");
  return {
    transIDs: req.parts.transIDs,
    authRRPID: req.parts.authRRPID,
    authAmt: header.authAmt,
    capToken: opened.baggage.capToken,
    xidHex: req.xidHex,
    authReqData: req.parts.authReqData,
    piDer: req.piDer,
    authResPayload: opened.data.authResPayload,
  };
}

/** A CapReq of `items`, signed by `merchant` (its key-exchange certificate carried). */
export async function capReqOf(
  f: AuthReqForger,
  p: CryptoProvider,
  items: readonly CaptureItem[],
  options: { merchant?: MerchantKeys; capRRPID?: Uint8Array; batchID?: number } = {},
): Promise<{ bytes: Uint8Array; capRRPID: Uint8Array }> {
  const merchant = options.merchant ?? labMerchant;
  const capRRPID = options.capRRPID ?? p.random(20);
  const date = wholeSeconds(new Date());
  const data: schema.CapReqData = {
    capRRTags: { rrpid: capRRPID, merTermIDs: { merchantID: merchant.merID }, currentDate: date },
    capItemSeq: items.map((i) => ({
      transIDs: i.of.transIDs,
      authRRPID: i.of.authRRPID,
      capPayload: {
        capDate: date,
        capReqAmt: { ...i.of.authAmt, amount: i.amount },
        // The batch the merchant names (SaleDetail.BatchID); absent: its open batch.
        ...(options.batchID !== undefined
          ? { saleDetail: { batchID: options.batchID, okToPrintPhoneInd: true } }
          : {}),
      },
    })),
  };
  const signer: Signer = await f.signer(merchant.signer);
  const withKex: Signer = { ...signer, chain: [f.pki.certificate(merchant.kex), ...(signer.chain ?? [])] };
  const sealed = await sealCapReq(
    p,
    withKex,
    f.gatewayKex("Visa"),
    data,
    items.map((i) => i.token ?? i.of.capToken),
  );
  const bytes = wrapMessage({ type: "captureRequest", value: sealed }, { rrpid: capRRPID }, { date });
  return { bytes, capRRPID };
}

/** Send a CapReq; the raw answer and what its merchant reads from it. */
export async function sendCapReq(
  target: AttackTarget,
  f: AuthReqForger,
  bytes: Uint8Array,
  merchant: MerchantKeys = labMerchant,
): Promise<{ raw: Uint8Array; answer: CaptureAnswer }> {
  const raw = (await postSetRaw(gatewaySet(target), bytes)).body;
  try {
    const w = s.decodeMessage(raw);
    if (w.message.type === "error")
      return { raw, answer: { type: "error", code: (await readError(f.p, w.message.value)).code } };
    if (w.message.type !== "captureResponse")
      return { raw, answer: { type: "unreadable", reason: w.message.type } };
    const opened = await openCapRes(f.p, await decrypterOf(f, merchant.kex), w.message.value, trustOf(f));
    return {
      raw,
      answer: {
        type: "capRes",
        codes: opened.data.capResItemSeq.map((i) => String(i.capResPayload.capCode)),
      },
    };
  } catch (e) {
    return { raw, answer: { type: "unreadable", reason: (e as Error).message.split("\n")[0] ?? "" } };
  }
}

export const describeCapture = (a: CaptureAnswer) =>
  a.type === "capRes"
    ? `CapRes [${a.codes.join(", ")}]`
    : a.type === "error"
      ? `SET Error ${a.code}`
      : `unreadable (${a.reason})`;

/** The code a CapRes answered with: its first item's CapCode, or the SET Error's. */
export const captureSignal = (a: CaptureAnswer) =>
  a.type === "capRes" ? a.codes[0] : a.type === "error" ? a.code : undefined;
