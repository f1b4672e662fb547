/**
 * `set-lab soak` (`pnpm soak`): purchases at a steady rate through the lab while the gateway's
 * fault plan rotates (faultProfiles.ts), each party's RSS sampled every few seconds; after each
 * approval the shop's back office captures all, part or none of it (soakBackOffice.ts), under the
 * same faults. At the end the soak clears the faults, waits for purchases in flight, lets every
 * order settle and every capture finish, reconciles buyer, merchant and gateway for each purchase
 * (reconcile.ts) and checks each card account's holds and postings against the merchant's orders
 * (ledgerCheck.ts). A lab already running at `home` is reused (and left running); otherwise a
 * fresh one is started and stopped afterwards.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { adminHeaders, httpRequest } from "@setlab/runtime";
import { startRssSampler, type Watched } from "../bench/monitor";
import { down } from "../commands/down";
import { clearFaults, type GatewayFaultPlan, setFaults } from "../commands/fault";
import { resolveCard } from "../commands/purchase";
import { up } from "../commands/up";
import {
  adminOf,
  isAlive,
  LabFailure,
  type LabState,
  pairingCodeOf,
  readState,
  stateFile,
} from "../labState";
import { type FaultProfile, faultProfiles, planForPhase } from "./faultProfiles";
import { type AccountFigures, checkLedger } from "./ledgerCheck";
import { type GatewayAuthorization, type MerchantOrder, type PurchaseRecords, reconcile } from "./reconcile";
import {
  type BackOfficeStep,
  backOfficeStep,
  backOfficeSteps,
  runBackOfficeStep,
  stateAfter,
  stepDone,
} from "./soakBackOffice";
import { type SoakCard, type SoakPurchase, type SoakTarget, soakPurchase } from "./soakPurchase";
import type { LostPurchase, RssRow, SoakReport } from "./soakReport";

export interface SoakOptions {
  readonly home: string;
  readonly seconds?: number;
  /** Purchases started per second. */
  readonly rate?: number;
  readonly faults?: FaultProfile;
  /** At most this many purchases in flight (default 8). */
  readonly concurrency?: number;
  /** Seeds the gateway's fault decisions (SETLAB_FAULT_SEED) when the soak starts the lab. */
  readonly seed?: number;
  /** Length of one fault phase (default: a quarter of the run, 5 s to 30 s). */
  readonly phaseSeconds?: number;
  /** How long orders may take to settle after the last purchase (default 60 s). */
  readonly settleSeconds?: number;
  readonly rssEveryMs?: number;
  readonly log?: (line: string) => void;
}

/** The cards a soak pays with, in turn: mostly approving, some the issuer declines. */
export const soakCards = [
  "visa-approve",
  "mc-approve",
  "visa-approve",
  "mc-approve",
  "visa-nsf",
  "mc-stolen",
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson<T>(url: string, headers: Record<string, string>): Promise<T | undefined> {
  try {
    const res = await httpRequest(url, { headers, timeoutMs: 10_000, maxResponseBytes: 64 * 1024 * 1024 });
    if (res.status !== 200) return undefined;
    return JSON.parse(res.body.toString("utf8")) as T;
  } catch {
    return undefined;
  }
}

function runningLab(home: string): LabState | undefined {
  if (!fs.existsSync(stateFile(home))) return undefined;
  const state = readState(home);
  return Object.values(state.parties).every((p) => isAlive(p.pid)) ? state : undefined;
}

function validate(o: SoakOptions) {
  const seconds = o.seconds ?? 60;
  const rate = o.rate ?? 2;
  const concurrency = o.concurrency ?? 8;
  const faults = o.faults ?? "light";
  if (!(seconds > 0 && seconds <= 86_400)) throw new LabFailure(`--seconds must be 1-86400, not ${seconds}`);
  if (!(rate > 0 && rate <= 100)) throw new LabFailure(`--rate must be above 0 and at most 100, not ${rate}`);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new LabFailure(`--concurrency must be 1-64, not ${concurrency}`);
  if (!faultProfiles.includes(faults))
    throw new LabFailure(`--faults must be ${faultProfiles.join(", ")}, not "${faults}"`);
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw new LabFailure(`--seed must be an integer`);
  const phaseSeconds = o.phaseSeconds ?? Math.min(30, Math.max(5, seconds / 4));
  const settleSeconds = o.settleSeconds ?? 60;
  if (!(settleSeconds >= 0 && settleSeconds <= 3600))
    throw new LabFailure(`--settle-seconds must be 0-3600, not ${settleSeconds}`);
  return { seconds, rate, concurrency, faults, phaseSeconds, settleSeconds };
}

/** Applied faults the parties logged since `offsets` (lines with "event":"fault"). */
function countLoggedFaults(logs: Record<string, { file: string; offset: number }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [party, { file, offset }] of Object.entries(logs)) {
    let text = "";
    try {
      const fd = fs.openSync(file, "r");
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.max(0, size - offset));
      fs.readSync(fd, buf, 0, buf.length, offset);
      fs.closeSync(fd);
      text = buf.toString("utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      if (!line.includes('"event":"fault"')) continue;
      try {
        const entry = JSON.parse(line) as { fault?: string; skipped?: string };
        if (!entry.fault || entry.skipped) continue;
        const key = `${party}.${entry.fault}`;
        counts[key] = (counts[key] ?? 0) + 1;
      } catch {
        // a line cut by a concurrent write
      }
    }
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

const logOffset = (file: string) => {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
};

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const o = validate(options);
  const home = path.resolve(options.home);
  const say = options.log ?? (() => {});
  let state = runningLab(home);
  const started = !state;
  if (state) say(`reusing the lab running from ${home}`);
  else {
    say(`starting a lab in ${home}`);
    state = await up({
      home,
      log: say,
      ...(options.seed === undefined ? {} : { env: { SETLAB_FAULT_SEED: String(options.seed) } }),
    });
  }
  const lab = state;
  try {
    if (o.faults !== "none") await clearFaults(home, "gateway");
    const phone = new URL(lab.parties.phone.url);
    const target: SoakTarget = {
      merchant: lab.parties.merchant.url.replace(/\/$/, ""),
      merchantAdmin: adminOf(lab, "merchant"),
      phoneHost: phone.hostname,
      phonePort: Number(phone.port),
      pin: lab.pin,
      // Read at each pairing: the phone renews the code after a wrong one.
      ...(lab.pairingCodeFile ? { pairingCode: async () => pairingCodeOf(lab) } : {}),
    };
    const cards: SoakCard[] = soakCards.map((id) => resolveCard(lab.pki, id));
    const gateway = adminOf(lab, "gateway");
    const accounts = async () => {
      const figures: Record<string, AccountFigures> = {};
      for (const id of new Set(cards.map((c) => c.id))) {
        const a = await getJson<AccountFigures>(
          `${gateway.url}/admin/accounts/${id}`,
          adminHeaders(gateway.token),
        );
        if (a) figures[id] = { held: a.held, posted: a.posted };
      }
      return figures;
    };
    const accountsBefore = await accounts();
    const logs = {
      gateway: { file: lab.parties.gateway.log, offset: logOffset(lab.parties.gateway.log) },
      merchant: { file: lab.parties.merchant.log, offset: logOffset(lab.parties.merchant.log) },
    };
    const procs: Watched[] = [
      { name: "gateway", pid: lab.parties.gateway.pid },
      { name: "merchant", pid: lab.parties.merchant.pid },
      { name: "phone", pid: lab.parties.phone.pid },
      { name: "mediator", pid: process.pid },
    ];
    const sampler = startRssSampler(procs, options.rssEveryMs ?? 5000);
    const t0 = performance.now();
    const elapsed = () => (performance.now() - t0) / 1000;
    const end = t0 + o.seconds * 1000;

    // Fault rotation on the gateway, one phase after another until the purchases stop.
    const faultPhases: { at: number; plan: GatewayFaultPlan }[] = [];
    let running = true;
    const rotation = (async () => {
      for (let n = 0; running; n++) {
        const plan = planForPhase(o.faults, n);
        if (!plan) return;
        await setFaults(home, "gateway", plan);
        faultPhases.push({ at: elapsed(), plan });
        say(`${elapsed().toFixed(0)} s: gateway fault plan ${JSON.stringify(plan)}`);
        const next = t0 + (n + 1) * o.phaseSeconds * 1000;
        while (running && performance.now() < next) await sleep(Math.min(250, next - performance.now()));
      }
    })();

    // Purchases at the rate, at most `concurrency` in flight.
    const done: Promise<SoakPurchase & { step: BackOfficeStep }>[] = [];
    let inFlight = 0;
    const runTag = randomBytes(4).toString("hex");
    for (let i = 0; ; i++) {
      const at = t0 + (i * 1000) / o.rate;
      if (at >= end) break;
      if (at > performance.now()) await sleep(at - performance.now());
      while (inFlight >= o.concurrency) await sleep(20);
      // A saturated lab starts fewer purchases than asked: none starts after the end.
      if (performance.now() >= end) break;
      inFlight++;
      const step = backOfficeStep(i, cards.length);
      const p = soakPurchase(target, cards[i % cards.length], i, `soak-${runTag}-${i}`).then(async (r) => {
        if (r.orderId && r.buyer.outcome === "approved" && step !== "keep")
          await runBackOfficeStep(target.merchantAdmin, r.orderId, step);
        return { ...r, step };
      });
      done.push(
        p.finally(() => {
          inFlight--;
        }),
      );
      if (i > 0 && i % 20 === 0)
        say(`${elapsed().toFixed(0)} s: ${i} purchases started, ${inFlight} in flight`);
    }
    say(`${elapsed().toFixed(0)} s: all ${done.length} purchases started; waiting for those in flight`);
    const purchases = await Promise.all(done);
    running = false;
    await rotation;
    if (o.faults !== "none") await clearFaults(home, "gateway");
    const elapsedSeconds = elapsed();

    // Settle: every order out of "authorizing", or the settle time is up.
    const orderUrl = (id: string) => `${target.merchantAdmin.url}/orders/${id}`;
    const asMerchantAdmin = adminHeaders(target.merchantAdmin.token);
    const orders = new Map<string, MerchantOrder | undefined>();
    const settleEnd = performance.now() + o.settleSeconds * 1000;
    let pending = purchases.filter((p) => p.orderId !== undefined);
    for (;;) {
      await Promise.all(
        pending.map(async (p) =>
          orders.set(p.orderId!, await getJson<MerchantOrder>(orderUrl(p.orderId!), asMerchantAdmin)),
        ),
      );
      pending = pending.filter((p) => {
        const order = orders.get(p.orderId!);
        return !order || order.state === "authorizing";
      });
      if (pending.length === 0 || performance.now() > settleEnd) break;
      say(`settling: ${pending.length} orders not settled yet`);
      await sleep(1000);
    }

    // The back office finishes its steps: one that got no usable answer under the faults is asked
    // again (the merchant sends the same CapReq or AuthRevReq bytes), an order settled to
    // authorized only now gets its step.
    const unfinished = () =>
      purchases.filter(
        (p) =>
          p.orderId !== undefined &&
          orders.get(p.orderId)?.authorization?.authAmt !== undefined &&
          !stepDone(p.step, orders.get(p.orderId)),
      );
    for (let left = unfinished(); left.length > 0 && performance.now() <= settleEnd; left = unfinished()) {
      say(`settling: ${left.length} back-office steps to finish`);
      for (const p of left) {
        const refused = await runBackOfficeStep(target.merchantAdmin, p.orderId!, p.step);
        if (refused) say(`settling: order ${p.orderId} ${p.step}: ${refused}`);
        orders.set(p.orderId!, await getJson<MerchantOrder>(orderUrl(p.orderId!), asMerchantAdmin));
      }
    }
    // Per step, the approved orders it was asked for and those it left as it should.
    const backOffice = Object.fromEntries(backOfficeSteps.map((s) => [s, { asked: 0, done: 0 }])) as Record<
      BackOfficeStep,
      { asked: number; done: number }
    >;
    for (const p of purchases) {
      if (p.buyer.outcome !== "approved" || !p.orderId) continue;
      const order = orders.get(p.orderId);
      backOffice[p.step].asked++;
      const amountOk = p.step !== "reduce" || order?.authorization?.authAmt?.amount === 1;
      if (order?.state === stateAfter[p.step] && amountOk) backOffice[p.step].done++;
    }

    // Reconcile each purchase against the gateway's record of its XID.
    const counts = { completed: 0, partial: 0, declined: 0, failed: 0, lost: 0 };
    const failedBy: Record<string, number> = {};
    const lostPurchases: LostPurchase[] = [];
    for (const p of purchases) {
      const order = p.orderId ? orders.get(p.orderId) : undefined;
      const xid = order?.xid ?? p.buyer.xid;
      const authorizations = xid
        ? await getJson<GatewayAuthorization[]>(
            `${gateway.url}/admin/authorizations?xid=${xid}`,
            adminHeaders(gateway.token),
          )
        : [];
      const records: PurchaseRecords = {
        buyer: p.buyer,
        ...(p.orderId ? { orderId: p.orderId } : {}),
        ...(order ? { order } : {}),
        ...(authorizations ? { authorizations } : {}),
      };
      const r = reconcile(records);
      counts[r.verdict]++;
      if (r.verdict === "failed") failedBy[p.buyer.outcome] = (failedBy[p.buyer.outcome] ?? 0) + 1;
      if (r.verdict === "lost")
        lostPurchases.push({
          index: p.index,
          ...(p.orderId ? { orderId: p.orderId } : {}),
          ...(xid ? { xid } : {}),
          buyer: p.buyer.reason ? `${p.buyer.outcome} (${p.buyer.reason})` : p.buyer.outcome,
          ...(order ? { orderState: order.state } : {}),
          reason: r.reason ?? "lost",
        });
    }
    const ledger = checkLedger(
      accountsBefore,
      await accounts(),
      purchases.map((p) => ({ card: p.card, ...(p.orderId ? { order: orders.get(p.orderId) } : {}) })),
    );
    const rss: RssRow[] = sampler.stop().map((s) => ({
      at: s.at / 1000,
      mib: Object.fromEntries(Object.entries(s.rss).map(([k, v]) => [k, v / (1024 * 1024)])),
    }));
    return {
      format: "setlab-soak/1",
      home,
      faults: o.faults,
      seconds: o.seconds,
      rate: o.rate,
      concurrency: o.concurrency,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      elapsedSeconds,
      purchases: purchases.length,
      ...counts,
      failedBy,
      lostPurchases,
      backOffice,
      ledger: ledger.rows,
      ledgerMismatches: ledger.mismatches,
      faultPhases,
      faultsInjected: countLoggedFaults(logs),
      rss,
    };
  } finally {
    if (started) await down(home, say).catch(() => {});
  }
}
