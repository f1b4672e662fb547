/**
 * The benchmark's report: every figure of one run, derived from what the run measured. Pure. The
 * same object is printed as tables (formatReport) and written as JSON (`--json FILE`), so two runs
 * can be compared field by field.
 */
import type { ProtocolBenchResult } from "@setlab/protocol/bench";
import type { AttackTrafficReport } from "../attackTraffic/attackTraffic";
import type { CaptureBatchFigures } from "./captureBench";
import type { CliTiming } from "./cliTiming";
import type { Sample } from "./load";
import type { CaBenchResult } from "./microBenches";
import { type RssSample, startMiddleEnd } from "./monitor";
import { type Arrival, type OpenLoopPlan, type OpenLoopSummary, summarizeOpenLoop } from "./openLoop";
import { type LatencySummary, summarize } from "./percentile";
import { type CryptoParty, privateOpsPerPurchase, rawMsOf, totalPrivateOps } from "./privateOps";
import type { PartyProfile } from "./profileFiles";
import type { StackRates } from "./rawCrypto";
import { evaluateTargets, type Target } from "./targets";

export interface PartyFigures {
  readonly name: string;
  /** CPU milliseconds (user + system) in the measured window. */
  readonly cpuMs: number;
  /** Peak RSS over the process's life (VmHWM), bytes. */
  readonly hwm: number;
}

/** What a run measured, before any arithmetic. */
export interface BenchMeasurements {
  readonly startedAt: string;
  readonly node: string;
  readonly cpus: number;
  readonly clockTicks: number;
  readonly logLevel: string;
  readonly micro?: {
    readonly protocol?: ProtocolBenchResult;
    readonly ca?: CaBenchResult;
    readonly errors: readonly string[];
  };
  readonly raw?: { readonly node: StackRates; readonly peculiar: StackRates };
  readonly load?: {
    readonly concurrency: number;
    /** Purchases run before the window, untimed (absent in reports from before it was recorded). */
    readonly warmup?: number;
    /** The host's 1-minute load average when the window began and ended (other work competes). */
    readonly hostLoad: readonly [number, number];
    readonly wallMs: number;
    readonly samples: readonly Sample[];
    readonly parties: readonly PartyFigures[];
    readonly rss: readonly RssSample[];
  };
  readonly offered?: { readonly plan: OpenLoopPlan; readonly arrivals: readonly Arrival[] };
  readonly cli?: CliTiming;
  /** Captures in settlement batches, one batch per size (./captureBench). */
  readonly capture?: readonly CaptureBatchFigures[];
  readonly profiles?: readonly PartyProfile[];
  readonly underAttack?: {
    readonly plan: OpenLoopPlan;
    /** The same open loop twice: with no other traffic, then beside the attack traffic. */
    readonly quiet: readonly Arrival[];
    readonly attacked: readonly Arrival[];
    readonly attack: AttackTrafficReport;
    /** Peak RSS (VmHWM) of each party when the attacked window ended, bytes. */
    readonly peakRss: Readonly<Record<string, number>>;
  };
}

export interface UnderAttackSummary {
  readonly quiet: OpenLoopSummary;
  readonly attacked: OpenLoopSummary;
  readonly attack: AttackTrafficReport;
  readonly peakRss: Readonly<Record<string, number>>;
}

export interface PartyRow {
  readonly name: string;
  readonly cpuMsPerPurchase: number;
  /** Share of one core the party used over the window. */
  readonly coreShare: number;
  /** Raw RSA private-key milliseconds the party needs per purchase; undefined for the driver. */
  readonly rawMs?: number;
  readonly cpuOverRaw?: number;
  /** RSS bytes at the first, middle and last sample of the window, and the peak (VmHWM). */
  readonly rss: {
    readonly start?: number;
    readonly middle?: number;
    readonly end?: number;
    readonly peak: number;
  };
}

export interface LoadSummary {
  readonly purchases: number;
  readonly concurrency: number;
  /** Purchases before the window (the lab warms up: JIT, caches, bonds); null when not recorded. */
  readonly warmup: number | null;
  readonly wallMs: number;
  readonly perSecond: number;
  readonly approved: number;
  /** Not approved, by outcome and reason (the five most frequent). */
  readonly failures: readonly { readonly what: string; readonly count: number }[];
  readonly latency: LatencySummary;
  readonly hostLoad: readonly [number, number];
  readonly parties: readonly PartyRow[];
  readonly cpuMsPerPurchase: number;
  readonly rawMsPerPurchase: number;
  readonly cpuOverRaw: number;
  readonly privateOpsPerPurchase: number;
  /** Purchases per second per core if only the raw private-key work cost anything. */
  readonly rawBoundPerCore: number;
  readonly rssSamples: readonly RssSample[];
}

/** One capture batch: captures per second, and CPU per capture against its raw RSA. */
export interface CaptureRow {
  readonly batchSize: number;
  readonly capReqs: number;
  readonly captured: number;
  readonly perSecond: number;
  readonly gatewayCpuMsPerCapture: number;
  readonly merchantCpuMsPerCapture: number;
  readonly cpuMsPerCapture: number;
  /** RSA private-key milliseconds per capture (both parties, Node's stack, rates of this run). */
  readonly rawMsPerCapture: number;
  readonly cpuOverRaw: number;
  readonly gatewayCpuOverRaw: number;
}

export function summarizeCapture(
  batches: readonly CaptureBatchFigures[],
  raw: NonNullable<BenchMeasurements["raw"]>,
): CaptureRow[] {
  const { sign, decrypt } = raw.node;
  return batches.map((b) => {
    const n = Math.max(1, b.batchSize);
    const gatewayRaw = b.ops.gateway.signs * sign.ms + b.ops.gateway.decrypts * decrypt.ms;
    const merchantRaw = b.ops.merchant.signs * sign.ms + b.ops.merchant.decrypts * decrypt.ms;
    const cpu = (b.gatewayCpuMs + b.merchantCpuMs) / n;
    const rawMs = (gatewayRaw + merchantRaw) / n;
    return {
      batchSize: b.batchSize,
      capReqs: b.capReqs,
      captured: b.captured,
      perSecond: (b.batchSize * 1000) / b.wallMs,
      gatewayCpuMsPerCapture: b.gatewayCpuMs / n,
      merchantCpuMsPerCapture: b.merchantCpuMs / n,
      cpuMsPerCapture: cpu,
      rawMsPerCapture: rawMs,
      cpuOverRaw: cpu / rawMs,
      gatewayCpuOverRaw: b.gatewayCpuMs / n / (gatewayRaw / n),
    };
  });
}

export interface BenchReport {
  readonly format: "setlab-bench/1";
  readonly startedAt: string;
  readonly node: string;
  readonly cpus: number;
  readonly clockTicks: number;
  readonly logLevel: string;
  readonly micro?: BenchMeasurements["micro"];
  readonly raw?: BenchMeasurements["raw"];
  readonly load?: LoadSummary;
  readonly offered?: OpenLoopSummary;
  readonly cli?: CliTiming;
  readonly capture?: readonly CaptureRow[];
  readonly underAttack?: UnderAttackSummary;
  readonly profiles?: readonly PartyProfile[];
  readonly targets: readonly Target[];
}

function summarizeLoad(
  l: NonNullable<BenchMeasurements["load"]>,
  raw: NonNullable<BenchMeasurements["raw"]>,
): LoadSummary {
  const n = l.samples.length;
  const per = (x: number) => x / Math.max(1, n);
  const sme = startMiddleEnd(l.rss);
  const rawByParty = new Map<string, number>(
    privateOpsPerPurchase.map((o) => [o.party as CryptoParty, rawMsOf(o, raw)]),
  );
  const rawTotal = [...rawByParty.values()].reduce((s, x) => s + x, 0);
  const cpuTotal = per(l.parties.reduce((s, p) => s + p.cpuMs, 0));
  const failures = new Map<string, number>();
  for (const s of l.samples)
    if (s.outcome !== "approved") {
      const k = `${s.outcome}: ${s.reason ?? ""}`;
      failures.set(k, (failures.get(k) ?? 0) + 1);
    }
  return {
    purchases: n,
    concurrency: l.concurrency,
    warmup: l.warmup ?? null,
    wallMs: l.wallMs,
    perSecond: (n * 1000) / l.wallMs,
    approved: l.samples.filter((s) => s.outcome === "approved").length,
    failures: [...failures]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([what, count]) => ({ what, count })),
    latency: summarize(l.samples.map((s) => s.ms)),
    hostLoad: l.hostLoad,
    parties: l.parties.map((p) => {
      const rawMs = rawByParty.get(p.name);
      const cpu = per(p.cpuMs);
      return {
        name: p.name,
        cpuMsPerPurchase: cpu,
        coreShare: p.cpuMs / l.wallMs,
        ...(rawMs === undefined ? {} : { rawMs, cpuOverRaw: cpu / rawMs }),
        rss: {
          start: sme?.[0].rss[p.name],
          middle: sme?.[1].rss[p.name],
          end: sme?.[2].rss[p.name],
          peak: p.hwm,
        },
      };
    }),
    cpuMsPerPurchase: cpuTotal,
    rawMsPerPurchase: rawTotal,
    cpuOverRaw: cpuTotal / rawTotal,
    privateOpsPerPurchase: totalPrivateOps(),
    rawBoundPerCore: 1000 / rawTotal,
    rssSamples: l.rss,
  };
}

export function buildReport(m: BenchMeasurements): BenchReport {
  const load = m.load && m.raw ? summarizeLoad(m.load, m.raw) : undefined;
  const offered = m.offered ? summarizeOpenLoop(m.offered.plan, m.offered.arrivals) : undefined;
  const u = m.underAttack;
  const underAttack: UnderAttackSummary | undefined = u && {
    quiet: summarizeOpenLoop(u.plan, u.quiet),
    attacked: summarizeOpenLoop(u.plan, u.attacked),
    attack: u.attack,
    peakRss: u.peakRss,
  };
  return {
    format: "setlab-bench/1",
    startedAt: m.startedAt,
    node: m.node,
    cpus: m.cpus,
    clockTicks: m.clockTicks,
    logLevel: m.logLevel,
    ...(m.micro ? { micro: m.micro } : {}),
    ...(m.raw ? { raw: m.raw } : {}),
    ...(load ? { load } : {}),
    ...(offered ? { offered } : {}),
    ...(m.cli ? { cli: m.cli } : {}),
    ...(m.capture && m.raw ? { capture: summarizeCapture(m.capture, m.raw) } : {}),
    ...(underAttack ? { underAttack } : {}),
    ...(m.profiles ? { profiles: m.profiles } : {}),
    targets: evaluateTargets({
      protocol: m.micro?.protocol,
      load,
      offered,
      cli: m.cli,
      underAttack,
    }),
  };
}
