/**
 * Captures per second in settlement batches of 1, 100 and 1000 (issue 14), against the running
 * lab's gateway process. This process plays the merchant: before the measured window it has the
 * gateway approve one authorization per capture (AuthReqs built from the lab's cards and merchant
 * keys, `buildAuthReq`); in the window it captures them in CapReqs of at most protocol's `maxCapItems`
 * items, reads every CapRes with `receiveCapRes`, and closes the batch with a BatchAdminReq.
 * CPU is the gateway's (from /proc) and this process's over the window, per capture, against the
 * RSA private-key operations that window needs (`captureRawOps`).
 */
import {
  type CaptureAsked,
  type CryptoProvider,
  fromHex,
  maxCapItems,
  nodeProvider,
  openAuthRes,
  receiveBatchAdminRes,
  receiveCapRes,
  type Signer,
  schema as s,
  type schema,
  sealBatchAdminReq,
  sealCapReq,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import { buildAuthReq } from "@setlab/protocol/testing";
import { LabPki, postSet } from "@setlab/runtime";
import { cpuMs } from "./procStats";

/** The RSA private-key operations of capturing `captures` in one batch, per party. */
export function captureRawOps(captures: number, itemsPerCapReq: number) {
  const capReqs = Math.ceil(captures / itemsPerCapReq);
  return {
    capReqs,
    // CapReq envelopes, one CapToken per item, the BatchAdminReq; CapRes and BatchAdminRes signed
    gateway: { signs: capReqs + 1, decrypts: capReqs + captures + 1 },
    // CapReq and BatchAdminReq signed; CapRes and BatchAdminRes opened
    merchant: { signs: capReqs + 1, decrypts: capReqs + 1 },
  };
}

export interface CaptureBatchFigures {
  readonly batchSize: number;
  readonly capReqs: number;
  /** Items the CapRes answered success; the rest failed the run. */
  readonly captured: number;
  readonly wallMs: number;
  readonly gatewayCpuMs: number;
  readonly merchantCpuMs: number;
  readonly ops: ReturnType<typeof captureRawOps>;
  /** The batch's totals as the BatchAdminRes stated them: item count. */
  readonly settledItems: number;
}

export interface CaptureBenchTarget {
  readonly pkiDir: string;
  readonly gatewaySet: string;
  readonly gatewayPid: number;
}

interface Held {
  readonly transIDs: schema.TransIDs;
  readonly authRRPID: Uint8Array;
  readonly capToken: schema.CapToken;
}

export const maxItemsPerCapReq = maxCapItems;

async function context(p: CryptoProvider, pkiDir: string) {
  const pki = LabPki.open(pkiDir);
  const card = pki.cards()["visa-approve"];
  if (!card) throw new Error("the lab PKI has no visa-approve card");
  const sig = await pki.signer("visa/merchant/signature", p);
  const kexId = "visa/merchant/key-exchange";
  const merchant: Signer = { ...sig, chain: [pki.certificate(kexId), ...(sig.chain ?? [])] };
  const decrypter = {
    certificate: pki.certificate(kexId),
    privateKey: await pki.privateKey(kexId, "keyEncipherment", p),
  };
  return {
    pki,
    card: { ...card, panSecret: fromHex(card.panSecret) },
    cardholder: await pki.signer("visa/cards/visa-approve", p),
    merchant,
    decrypter,
    gatewayKex: pki.certificate("visa/gateway/key-exchange"),
    trust: () => ({ pinnedRoot: pki.root(), intermediates: pki.intermediates(), at: new Date() }),
  };
}
type Context = Awaited<ReturnType<typeof context>>;

async function authorize(p: CryptoProvider, c: Context, gatewaySet: string): Promise<Held> {
  const built = await buildAuthReq(
    p,
    c.card,
    { cardholder: c.cardholder, merchant: c.merchant, piSealTo: c.gatewayKex, sealTo: c.gatewayKex },
    { amount: 1 },
  );
  const answer = s.decodeMessage(await postSet(gatewaySet, built.bytes));
  if (answer.message.type !== "authorizationResponse")
    throw new Error(`the gateway answered ${answer.message.type}`);
  const opened = await openAuthRes(p, c.decrypter, answer.message.value, c.trust());
  if (opened.data.authResPayload.authHeader.authCode !== "approved" || !opened.baggage.capToken)
    throw new Error(`authorization not approved: ${opened.data.authResPayload.authHeader.authCode}`);
  return {
    transIDs: built.parts.transIDs,
    authRRPID: built.parts.authRRPID,
    capToken: opened.baggage.capToken,
  };
}

async function authorizeMany(p: CryptoProvider, c: Context, gatewaySet: string, n: number, concurrency = 8) {
  const held: Held[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        next++;
        held.push(await authorize(p, c, gatewaySet));
      }
    }),
  );
  return held;
}

async function capture(p: CryptoProvider, c: Context, gatewaySet: string, items: readonly Held[]) {
  const rrpid = p.random(20);
  const date = wholeSeconds(new Date());
  const asked: CaptureAsked[] = items.map((h) => ({
    transIDs: h.transIDs,
    authRRPID: h.authRRPID,
    capReqAmt: { currency: 392, amount: 1, amtExp10: 0 },
  }));
  const data: schema.CapReqData = {
    capRRTags: { rrpid, merTermIDs: { merchantID: "SETLAB-MER-0001" }, currentDate: date },
    capItemSeq: asked.map((a) => ({ ...a, capPayload: { capDate: date, capReqAmt: a.capReqAmt } })),
  };
  const sealed = await sealCapReq(
    p,
    c.merchant,
    c.gatewayKex,
    data,
    items.map((h) => h.capToken),
  );
  const bytes = wrapMessage({ type: "captureRequest", value: sealed }, { rrpid }, { date });
  const answer = await postSet(gatewaySet, bytes);
  const r = await receiveCapRes(
    p,
    answer,
    { capRRPID: rrpid, items: asked, brand: "Visa", gateway: c.gatewayKex },
    { decrypter: c.decrypter, trust: c.trust() },
  );
  return r.items.filter((i) => i.verdict === "captured").length;
}

async function closeBatch(p: CryptoProvider, c: Context, gatewaySet: string): Promise<number> {
  const rrpid = p.random(20);
  const date = wholeSeconds(new Date());
  const data: schema.BatchAdminReqData = {
    batchAdminRRTags: { rrpid, merTermIDs: { merchantID: "SETLAB-MER-0001" }, currentDate: date },
    batchID: 0,
    batchOperation: "close",
  };
  const sealed = await sealBatchAdminReq(p, c.merchant, c.gatewayKex, data);
  const bytes = wrapMessage({ type: "batchAdministrationRequest", value: sealed }, { rrpid }, { date });
  const r = await receiveBatchAdminRes(
    p,
    await postSet(gatewaySet, bytes),
    { rrpid, batchID: 0, brand: "Visa", gateway: c.gatewayKex },
    { decrypter: c.decrypter, trust: c.trust() },
  );
  if (r.data.batchAdminCode !== "success") throw new Error(`closing the batch: ${r.data.batchAdminCode}`);
  return r.data.batchStatus?.transactionCount ?? 0;
}

/** One batch per size: authorize (not measured), then capture all and close (measured). */
export async function runCaptureBench(
  target: CaptureBenchTarget,
  sizes: readonly number[],
  log: (line: string) => void,
): Promise<CaptureBatchFigures[]> {
  const p = nodeProvider();
  const c = await context(p, target.pkiDir);
  const figures: CaptureBatchFigures[] = [];
  for (const size of sizes) {
    log(`captures: ${size} authorizations for a batch of ${size}`);
    const held = await authorizeMany(p, c, target.gatewaySet, size);
    const gatewayBefore = cpuMs(target.gatewayPid);
    const selfBefore = process.cpuUsage();
    const t0 = performance.now();
    let captured = 0;
    for (let i = 0; i < held.length; i += maxItemsPerCapReq)
      captured += await capture(p, c, target.gatewaySet, held.slice(i, i + maxItemsPerCapReq));
    const settledItems = await closeBatch(p, c, target.gatewaySet);
    const wallMs = performance.now() - t0;
    const self = process.cpuUsage(selfBefore);
    figures.push({
      batchSize: size,
      capReqs: Math.ceil(size / maxItemsPerCapReq),
      captured,
      wallMs,
      gatewayCpuMs: cpuMs(target.gatewayPid) - gatewayBefore,
      merchantCpuMs: (self.user + self.system) / 1000,
      ops: captureRawOps(size, maxItemsPerCapReq),
      settledItems,
    });
  }
  return figures;
}
