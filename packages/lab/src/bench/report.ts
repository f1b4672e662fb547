/** The benchmark's figures and their table: pure, from what the run measured. */
import type { Sample } from "./load";
import { type RssSample, startMiddleEnd } from "./monitor";
import { summarize } from "./percentile";
import { type CryptoParty, privateOpsPerPurchase, rawMsOf, totalPrivateOps } from "./privateOps";
import type { StackRates } from "./rawCrypto";

export interface PartyFigures {
  readonly name: string;
  /** CPU milliseconds (user + system) in the measured window. */
  readonly cpuMs: number;
  /** Peak RSS over the process's life (VmHWM), bytes. */
  readonly hwm: number;
}

export interface BenchResult {
  readonly node: string;
  readonly cpus: number;
  readonly clockTicks: number;
  readonly logLevel: string;
  readonly concurrency: number;
  /** The host's 1-minute load average when the measured window began and ended (other work competes). */
  readonly load: readonly [number, number];
  readonly wallMs: number;
  readonly samples: readonly Sample[];
  readonly parties: readonly PartyFigures[];
  readonly rss: readonly RssSample[];
  readonly raw: { readonly node: StackRates; readonly peculiar: StackRates };
}

const targetPerSecond = 100;
const targetRatio = 3;

const mb = (bytes: number | undefined) => (bytes === undefined ? "-" : (bytes / 2 ** 20).toFixed(1));
const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

export function formatReport(r: BenchResult): string {
  const n = r.samples.length;
  const approved = r.samples.filter((s) => s.outcome === "approved");
  const perSecond = (n * 1000) / r.wallMs;
  const latency = summarize(r.samples.map((s) => s.ms));
  const sme = startMiddleEnd(r.rss);
  const rawByParty = new Map<string, number>(
    privateOpsPerPurchase.map((o) => [o.party as CryptoParty, rawMsOf(o, r.raw)]),
  );
  const rawTotal = [...rawByParty.values()].reduce((s, x) => s + x, 0);
  const cpuTotal = r.parties.reduce((s, p) => s + p.cpuMs, 0) / Math.max(1, n);

  const out: string[] = [];
  const line = (s = "") => out.push(s);
  line(
    `SET Lab end-to-end benchmark (Node ${r.node}, ${r.cpus} CPUs, CLK_TCK ${r.clockTicks}, party log level ${r.logLevel})`,
  );
  line(
    `${n} purchases at concurrency ${r.concurrency} in ${f(r.wallMs / 1000, 2)} s: ${f(perSecond)} purchases/s` +
      ` (approved ${approved.length}, other ${n - approved.length})`,
  );
  line(
    `host load average (1 min) at start / end of the window: ${f(r.load[0], 2)} / ${f(r.load[1], 2)} on ${r.cpus} CPUs`,
  );
  line(
    `latency ms (order + initiation + purchase): p50 ${f(latency.p50)}  p99 ${f(latency.p99)}  mean ${f(latency.mean)}  max ${f(latency.max)}`,
  );
  const failures = new Map<string, number>();
  for (const s of r.samples)
    if (s.outcome !== "approved") {
      const k = `${s.outcome}: ${s.reason ?? ""}`;
      failures.set(k, (failures.get(k) ?? 0) + 1);
    }
  for (const [k, c] of [...failures].slice(0, 5)) line(`  not approved x${c}: ${k}`);
  line();

  const header = [
    "process".padEnd(18),
    "CPU ms/purchase".padStart(15),
    "% of a core".padStart(11),
    "raw RSA ms".padStart(10),
    "CPU/raw".padStart(7),
    "RSS MB start".padStart(12),
    "middle".padStart(7),
    "end".padStart(7),
    "peak".padStart(7),
  ];
  line(header.join("  "));
  for (const p of r.parties) {
    const per = p.cpuMs / Math.max(1, n);
    const rawMs = rawByParty.get(p.name);
    line(
      [
        p.name.padEnd(18),
        f(per, 2).padStart(15),
        f((100 * p.cpuMs) / r.wallMs, 0).padStart(11),
        (rawMs === undefined ? "-" : f(rawMs, 2)).padStart(10),
        (rawMs === undefined ? "-" : `${f(per / rawMs)}x`).padStart(7),
        mb(sme?.[0].rss[p.name]).padStart(12),
        mb(sme?.[1].rss[p.name]).padStart(7),
        mb(sme?.[2].rss[p.name]).padStart(7),
        mb(p.hwm).padStart(7),
      ].join("  "),
    );
  }
  line(
    [
      "total".padEnd(18),
      f(cpuTotal, 2).padStart(15),
      f((100 * cpuTotal * n) / r.wallMs, 0).padStart(11),
      f(rawTotal, 2).padStart(10),
      `${f(cpuTotal / rawTotal)}x`.padStart(7),
    ].join("  "),
  );
  line(
    `RSS sampled every second: ${r.rss.length} samples; "start", "middle", "end" are the first, middle and last of them`,
  );
  line();

  line("raw crypto, RSA-2048, one operation at a time: wall rate, and CPU ms per operation (all threads)");
  for (const s of [r.raw.node, r.raw.peculiar])
    line(
      `  ${s.provider.padEnd(9)} sign ${f(s.sign.perSecond, 0).padStart(5)}/s ${f(s.sign.ms, 3)} ms` +
        `  OAEP decrypt ${f(s.decrypt.perSecond, 0).padStart(5)}/s ${f(s.decrypt.ms, 3)} ms` +
        `  verify ${f(s.verify.perSecond, 0).padStart(6)}/s ${f(s.verify.ms, 3)} ms` +
        `  OAEP encrypt ${f(s.encrypt.perSecond, 0).padStart(6)}/s ${f(s.encrypt.ms, 3)} ms`,
    );
  const ops = totalPrivateOps();
  line(`private-key operations per purchase: ${ops}`);
  for (const o of privateOpsPerPurchase)
    line(
      `  ${o.party.padEnd(9)} ${o.signs} sign + ${o.decrypts} decrypt (${o.stack}): ${o.what}  = ${f(rawByParty.get(o.party) ?? 0, 2)} ms`,
    );
  const simple = r.raw.node.sign.perSecond / ops;
  const simpleCpu = 1000 / r.raw.node.sign.ms / ops;
  line(
    `bound, Node sign rate / ${ops}: ${f(simple)} purchases/s per core (by CPU ms per sign: ${f(simpleCpu)}), ` +
      `${f(simple * r.cpus)} (${f(simpleCpu * r.cpus)}) on ${r.cpus} cores`,
  );
  line(
    `bound, each party's stack and mix (${f(rawTotal, 2)} CPU ms raw per purchase): ${f(1000 / rawTotal)} purchases/s per core, ${f((1000 * r.cpus) / rawTotal)} on ${r.cpus} cores`,
  );
  line();

  const growth = r.parties.map((p) => {
    const mid = sme?.[1].rss[p.name];
    const end = sme?.[2].rss[p.name];
    return mid !== undefined && end !== undefined
      ? `${p.name} ${end >= mid ? "+" : ""}${mb(end - mid)} MB`
      : "";
  });
  line("targets");
  line(
    `  >= ${targetPerSecond} purchases/s sustained: ${f(perSecond)} (${perSecond >= targetPerSecond ? "met" : "not met"})`,
  );
  line(
    `  total CPU <= ${targetRatio}x raw crypto: ${f(cpuTotal, 2)} ms / ${f(rawTotal, 2)} ms = ${f(cpuTotal / rawTotal)}x (${cpuTotal <= targetRatio * rawTotal ? "met" : "not met"})`,
  );
  line(`  RSS flat (middle -> end of ${n} purchases): ${growth.filter(Boolean).join(", ")}`);
  return `${out.join("\n")}\n`;
}
