/** The report as the tables `pnpm bench` prints. Pure. */
import { maxCapItems } from "@setlab/protocol";
import { failureTimingLines, type ProtocolBenchResult } from "@setlab/protocol/bench";
import { privateOpsPerPurchase } from "./privateOps";
import { formatProfileSummary } from "./profileSummary";
import type { BenchReport } from "./report";
import { formatPhases, type Phase } from "./startupTimeline";
import type { Target } from "./targets";

const mb = (bytes: number | undefined) => (bytes === undefined ? "-" : (bytes / 2 ** 20).toFixed(1));
const f = (n: number | null | undefined, digits = 1) =>
  n !== null && n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : "-";

type Rate = ProtocolBenchResult["chain"]["cold"];
const rateLine = (r: Rate) =>
  `${r.name.padEnd(40)} ${f(r.perSecond, 0).padStart(8)} /s  ${f(r.ms, 3).padStart(8)} ms  ${f(r.cpuMs, 3).padStart(8)} ms CPU`;

function protocolLines(p: ProtocolBenchResult): string[] {
  const out = [
    `protocol (Node ${p.node}, provider ${p.provider}, ${p.secondsPerFigure} s per figure), raw crypto`,
  ];
  for (const x of Object.values(p.raw)) out.push(`  ${rateLine(x)}`);
  out.push(
    "protocol operations                                                               raw crypto inside                   CPU / raw (wall)",
  );
  for (const row of p.rows)
    out.push(
      `  ${rateLine(row.rate)}   ${row.inside.padEnd(34)} ${f(row.ratio).padStart(5)}x (${f(row.wallRatio)}x)`,
    );
  out.push(`certificate path of ${p.chain.length} (cardholder, cardholder CA, brand CA, root)`);
  out.push(`  ${rateLine(p.chain.cold)}`, `  ${rateLine(p.chain.known)}`, `  ${rateLine(p.chain.cached)}`);
  out.push(
    `first sight: ${p.firstSightRuns} runs over ${p.firstSightPurchases} purchases, each with its own PKI and cardholder key; before each run the parse cache and the public keys are emptied and the run's bytes are new copies`,
  );
  out.push(...failureTimingLines(p.failureTiming));
  return out;
}

function targetLine(t: Target): string {
  const verdict = t.met === null ? "not judged" : t.met ? "met" : "NOT MET";
  const value =
    t.value !== null
      ? `${f(t.value, t.unit === "x" ? 1 : t.unit === "/s" ? 1 : 2)}`
      : t.met === null
        ? "not measured"
        : "unbounded/failed";
  const goal = `${t.direction === "atLeast" ? ">=" : "<="} ${t.limit}${t.unit === "x" ? "x" : ` ${t.unit}`}`;
  return `  ${t.what.padEnd(72)} ${`${value}${t.value === null ? "" : t.unit === "x" ? "x" : ` ${t.unit}`}`.padStart(16)}  goal ${goal.padEnd(10)} ${verdict}`;
}

export function formatReport(r: BenchReport): string {
  const out: string[] = [];
  const line = (s = "") => out.push(s);
  line(
    `SET Lab benchmark ${r.startedAt} (Node ${r.node}, ${r.cpus} CPUs, CLK_TCK ${r.clockTicks}, party log level ${r.logLevel})`,
  );
  line();

  if (r.micro) {
    if (r.micro.protocol) out.push(...protocolLines(r.micro.protocol), "");
    if (r.micro.ca) {
      line("CA (RSA-2048 signatures, SQLite writes)");
      for (const c of r.micro.ca.rates)
        line(
          `  ${c.name.padEnd(40)} ${f(c.perSecond).padStart(8)} /s  ${f(c.ms, 2).padStart(8)} ms  (${c.runs} runs)`,
        );
    }
    for (const e of r.micro.errors) line(`  micro benchmark failed: ${e}`);
    line();
  }

  const l = r.load;
  if (l) {
    line("end to end, closed loop (this process plays browser and mediator; every party a separate process)");
    line(
      `${l.purchases} purchases at concurrency ${l.concurrency}` +
        (l.warmup === null ? "" : ` after ${l.warmup} warm-up`) +
        ` in ${f(l.wallMs / 1000, 2)} s: ${f(l.perSecond)} purchases/s` +
        ` (approved ${l.approved}, other ${l.purchases - l.approved})`,
    );
    line(
      `host load average (1 min) at start / end of the window: ${f(l.hostLoad[0], 2)} / ${f(l.hostLoad[1], 2)} on ${r.cpus} CPUs`,
    );
    line(
      `latency ms (order + initiation + purchase): p50 ${f(l.latency.p50)}  p99 ${f(l.latency.p99)}  mean ${f(l.latency.mean)}  max ${f(l.latency.max)}`,
    );
    for (const x of l.failures) line(`  not approved x${x.count}: ${x.what}`);
    line();
    line(
      [
        "process".padEnd(18),
        "CPU ms/purchase".padStart(15),
        "% of a core".padStart(11),
        "raw RSA ms".padStart(10),
        "CPU/raw".padStart(7),
        "RSS MB start".padStart(12),
        "middle".padStart(7),
        "end".padStart(7),
        "peak".padStart(7),
      ].join("  "),
    );
    for (const p of l.parties)
      line(
        [
          p.name.padEnd(18),
          f(p.cpuMsPerPurchase, 2).padStart(15),
          f(100 * p.coreShare, 0).padStart(11),
          f(p.rawMs, 2).padStart(10),
          (p.cpuOverRaw === undefined ? "-" : `${f(p.cpuOverRaw)}x`).padStart(7),
          mb(p.rss.start).padStart(12),
          mb(p.rss.middle).padStart(7),
          mb(p.rss.end).padStart(7),
          mb(p.rss.peak).padStart(7),
        ].join("  "),
      );
    line(
      [
        "total".padEnd(18),
        f(l.cpuMsPerPurchase, 2).padStart(15),
        f((100 * l.cpuMsPerPurchase * l.purchases) / l.wallMs, 0).padStart(11),
        f(l.rawMsPerPurchase, 2).padStart(10),
        `${f(l.cpuOverRaw)}x`.padStart(7),
      ].join("  "),
    );
    line(
      `RSS sampled every second: ${l.rssSamples.length} samples; "start", "middle", "end" are the first, middle and last of them`,
    );
    line();
  }

  if (r.raw) {
    line("raw crypto, RSA-2048, one operation at a time: wall rate, and CPU ms per operation (all threads)");
    for (const s of [r.raw.node, r.raw.peculiar])
      line(
        `  ${s.provider.padEnd(9)} sign ${f(s.sign.perSecond, 0).padStart(5)}/s ${f(s.sign.ms, 3)} ms` +
          `  OAEP decrypt ${f(s.decrypt.perSecond, 0).padStart(5)}/s ${f(s.decrypt.ms, 3)} ms` +
          `  verify ${f(s.verify.perSecond, 0).padStart(6)}/s ${f(s.verify.ms, 3)} ms` +
          `  OAEP encrypt ${f(s.encrypt.perSecond, 0).padStart(6)}/s ${f(s.encrypt.ms, 3)} ms`,
      );
    if (l) {
      line(`private-key operations per purchase: ${l.privateOpsPerPurchase}`);
      for (const o of privateOpsPerPurchase)
        line(
          `  ${o.party.padEnd(9)} ${o.signs} sign + ${o.decrypts} decrypt (${o.stack}): ${o.what}  = ${f(l.parties.find((p) => p.name === o.party)?.rawMs, 2)} ms`,
        );
      line(
        `bound, each party's stack and mix (${f(l.rawMsPerPurchase, 2)} CPU ms raw per purchase): ${f(l.rawBoundPerCore)} purchases/s per core, ${f(l.rawBoundPerCore * r.cpus)} on ${r.cpus} cores`,
      );
    }
    line();
  }

  const o = r.offered;
  if (o) {
    line(
      `end to end, open loop: ${o.rate} purchases/s offered for ${o.seconds} s (${o.arrivals} arrivals on a fixed schedule)`,
    );
    line(
      `  approved ${o.approved}, not approved ${o.failed}, not started (over the in-flight limit) ${o.notStarted}; ${f(o.approvedPerSecond)} approved/s`,
    );
    line(
      `  latency ms from the scheduled arrival: p50 ${f(o.latency.p50)}  p90 ${f(o.latency.p90)}  p99 ${f(o.latency.p99)}  max ${f(o.latency.max)}` +
        `  ("-": beyond every finished purchase)`,
    );
    line(`  worst start lag of the load generator: ${f(o.maxStartLagMs)} ms`);
    for (const x of o.failures) line(`  not approved x${x.count}: ${x.what}`);
    line();
  }

  const u = r.underAttack;
  if (u) {
    const a = u.attack;
    const rates = a.rates;
    line(
      `under attack: ${u.quiet.rate} purchases/s offered for ${u.quiet.seconds} s, quiet and then beside the attack traffic (${f(a.seconds)} s)`,
    );
    for (const [name, o] of [
      ["quiet", u.quiet],
      ["attacked", u.attacked],
    ] as const)
      line(
        `  ${name.padEnd(9)} approved ${o.approved}/${o.arrivals} (${o.failed} not approved, ${o.notStarted} not started), ${f(o.approvedPerSecond)}/s;` +
          ` ms from arrival p50 ${f(o.latency.p50)}  p99 ${f(o.latency.p99)}  max ${f(o.latency.max)}`,
      );
    for (const x of u.attacked.failures) line(`  not approved under attack x${x.count}: ${x.what}`);
    const kind = (what: string, k: (typeof a)["bombs"]) =>
      line(
        `  ${what}: ${k.sent} sent, ${k.skipped} skipped (in flight at the cap), longest ${f(k.maxMs, 0)} ms; ` +
          Object.entries(k.outcomes)
            .map(([o, n]) => `${o} x${n}`)
            .join(", "),
      );
    kind(`${rates.bombsPerSecond}/s OID bombs (256 KiB) to the merchant and to the gateway each`, a.bombs);
    kind(
      `${rates.slowBodiesHeld} slow bodies held at the merchant and at the gateway each (${rates.slowBody.chunk} B every ${rates.slowBody.everyMs} ms of ${rates.slowBody.announce})`,
      a.slowBodies,
    );
    kind(`${rates.hellosPerSecond}/s HELLO-and-hang-up at the phone`, a.hellos);
    kind(`${rates.wrongCodesPerSecond}/s pairings with a wrong code at the phone`, a.wrongCodes);
    line(
      `  peak RSS: ${Object.entries(u.peakRss)
        .map(([name, b]) => `${name} ${f(b / 1048576, 0)} MiB`)
        .join(", ")}`,
    );
    line();
  }

  if (r.cli) {
    line(
      `one \`set-lab purchase\` from the command line, lab up: median ${f(r.cli.medianMs, 0)} ms, min ${f(r.cli.minMs, 0)} ms ` +
        `(${r.cli.runsMs.map((x) => x.toFixed(0)).join(", ")}); bare \`node -e ""\` ${f(r.cli.nodeStartMedianMs, 0)} ms`,
    );
    if (r.cli.failed > 0) line(`  ${r.cli.failed} run(s) not approved; first: ${r.cli.firstFailure}`);
    if (r.cli.breakdown) {
      line("  where one traced run's wall time went (ms from each process's start):");
      const runs: [string, readonly Phase[]][] = [["set-lab purchase", r.cli.breakdown.lab]];
      if (r.cli.breakdown.mediator) runs.push(["set-mediator (started by it)", r.cli.breakdown.mediator]);
      for (const [who, phases] of runs)
        for (const l of formatPhases(who, phases).trimEnd().split("\n")) line(`  ${l}`);
    }
    line();
  }

  if (r.capture) {
    line(
      `captures in settlement batches (CapReqs of at most ${maxCapItems} items, then the batch closed; this process plays the merchant)`,
    );
    line(
      "  batch  CapReqs  captured  captures/s  CPU ms/capture (gateway + merchant)  raw RSA ms/capture  CPU / raw  gateway CPU / raw",
    );
    for (const c of r.capture)
      line(
        `  ${String(c.batchSize).padStart(5)}  ${String(c.capReqs).padStart(7)}  ${String(c.captured).padStart(8)}  ${f(c.perSecond).padStart(10)}` +
          `  ${`${f(c.cpuMsPerCapture, 2)} (${f(c.gatewayCpuMsPerCapture, 2)} + ${f(c.merchantCpuMsPerCapture, 2)})`.padStart(35)}` +
          `  ${f(c.rawMsPerCapture, 3).padStart(18)}  ${`${f(c.cpuOverRaw)}x`.padStart(9)}  ${`${f(c.gatewayCpuOverRaw)}x`.padStart(17)}`,
      );
    line();
  }

  if (r.profiles) {
    line("CPU profiles over the closed-loop window: top self time per process");
    for (const p of r.profiles) out.push(formatProfileSummary(`${p.party} (pid ${p.pid})`, p.summary));
  }

  line("issue 10 and 12 goals (the README's test command time is measured outside the bench)");
  for (const t of r.targets) line(targetLine(t));
  return `${out.join("\n")}\n`;
}
