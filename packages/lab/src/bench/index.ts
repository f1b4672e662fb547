/**
 * `pnpm bench`: every figure of issue 10 in one run on one machine.
 *   1. micro: the protocol benchmark (dual signature, merchant PReq and gateway PI cold and warm,
 *      each against the raw RSA it contains; chain validation cold and cached) and the CA's
 *      issuance and CRL rates, each in its own process, before anything else runs;
 *   2. load: the lab (`set-lab up` in a temporary home: gateway, merchant and phone as separate
 *      processes; this process plays browser and mediator), a warm-up, then the closed loop
 *      (purchases/s at a concurrency, latency, CPU per purchase per party against the raw RSA
 *      bound measured in the same run, RSS at start, middle and end);
 *   3. offered: the open loop, purchases arriving on a schedule, latency from the scheduled arrival;
 *   4. cli: `set-lab purchase` spawned against the running lab, wall time;
 *   4b. capture: captures per second in batches of 1, 100 and 1000 (./captureBench), CPU per
 *      capture of gateway and merchant against the raw RSA the batch needs, same run;
 *   5. underAttack: the open loop at a low rate, quiet and then beside attack traffic at bounded
 *      rates (amplification bodies, slow bodies, pairing junk; ../attackTraffic), last because its
 *      wrong codes leave the phone's pairing locked for a while (bonded PCs still resume).
 * Then the goals of issues 10 and 12, each with its verdict. `--json FILE` writes the same report as JSON;
 * `--profile DIR` profiles the parties and this process over the closed-loop window. Options and
 * variables: `benchUsage` in ./options.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, runMain } from "@setlab/runtime";
import { defaultAttackRates } from "../attackTraffic/attackTraffic";
import { startAttackWorker } from "../attackTraffic/attackWorker";
import { down } from "../commands/down";
import { resolveCard } from "../commands/purchase";
import { up } from "../commands/up";
import { adminOf, type LabState, pairingCodeOf } from "../labState";
import { runCaptureBench } from "./captureBench";
import { timeCliPurchases } from "./cliTiming";
import { formatReport } from "./formatReport";
import { type BenchCard, type LabTarget, onePurchase, runLoad } from "./load";
import { runCaMicro, runProtocolMicro } from "./microBenches";
import { cpuSnapshot, memorySnapshot, startRssSampler, type Watched } from "./monitor";
import { runOpenLoop } from "./openLoop";
import { type BenchOptions, type BenchPart, benchUsage, parseBenchOptions } from "./options";
import { clockTicksPerSecond } from "./procStats";
import { summarizeProfileDir } from "./profileFiles";
import { startProfiler } from "./profiler";
import { measureRawCrypto } from "./rawCrypto";
import { type BenchMeasurements, buildReport } from "./report";

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

async function micro(o: BenchOptions): Promise<NonNullable<BenchMeasurements["micro"]>> {
  const errors: string[] = [];
  log(`protocol benchmark (${o.microSeconds} s per figure)`);
  const protocol = await runProtocolMicro(o.microSeconds).catch((e: Error) => {
    errors.push(e.message);
    return undefined;
  });
  log("CA benchmark");
  const ca = await runCaMicro(o.microSeconds).catch((e: Error) => {
    errors.push(e.message);
    return undefined;
  });
  return { ...(protocol ? { protocol } : {}), ...(ca ? { ca } : {}), errors };
}

/** The parties' environment under --profile: the preload, waiting for the bench's SIGUSR2. */
function profilingEnv(dir: string): NodeJS.ProcessEnv {
  const preload = path.join(__dirname, "profilePreload.js");
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} -r ${JSON.stringify(preload)}`.trim(),
    SETLAB_CPU_PROF_DIR: dir,
    SETLAB_CPU_PROF_START: "signal",
  };
}

async function withLab(o: BenchOptions, m: Mutable<BenchMeasurements>): Promise<boolean> {
  if (!o.skip.has("load") || !o.skip.has("capture")) {
    log(`raw crypto (${o.cryptoSeconds} s per figure)`);
    m.raw = await measureRawCrypto(o.cryptoSeconds);
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-bench-"));
  let started = false;
  const stop = async () => {
    try {
      if (started) {
        started = false;
        await down(home, log);
      }
    } catch (e) {
      log(`down failed: ${(e as Error).message}`);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  };
  const onSignal = () => {
    void stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let ok = true;
  try {
    const profileDir = o.profile ? path.resolve(o.profile) : undefined;
    if (profileDir) fs.mkdirSync(profileDir, { recursive: true, mode: 0o700 });
    log(`starting the lab in ${home}`);
    started = true;
    let state: LabState;
    try {
      state = await up({ home, log, ...(profileDir ? { env: profilingEnv(profileDir) } : {}) });
    } catch (e) {
      started = false;
      throw e;
    }
    const phone = new URL(state.parties.phone.url);
    const target: LabTarget = {
      merchant: state.parties.merchant.url.replace(/\/$/, ""),
      merchantAdmin: adminOf(state, "merchant"),
      phoneHost: phone.hostname,
      phonePort: Number(phone.port),
      pin: state.pin,
      pairingCode: pairingCodeOf(state),
    };
    const cards: BenchCard[] = ["visa-approve", "mc-approve"].map((id) => resolveCard(state.pki, id));
    const purchase = (i: number) => onePurchase(target, cards[i % cards.length]);

    const purchases = ["load", "offered", "cli", "underAttack"].some(
      (part) => !o.skip.has(part as BenchPart),
    );
    if (o.warmup > 0 && purchases) {
      log(`warm-up: ${o.warmup} purchases`);
      const warm = await runLoad({ count: o.warmup, concurrency: o.concurrency }, purchase);
      const warmFailed = warm.filter((s) => s.outcome !== "approved");
      if (warmFailed.length > 0)
        throw new Error(
          `warm-up purchase not approved: ${warmFailed[0].outcome} ${warmFailed[0].reason ?? ""}`,
        );
    }

    const procs: Watched[] = [
      { name: "gateway", pid: state.parties.gateway.pid },
      { name: "merchant", pid: state.parties.merchant.pid },
      { name: "phone", pid: state.parties.phone.pid },
      { name: "mediator+browser", pid: process.pid },
    ];
    if (!o.skip.has("load")) {
      log(
        o.seconds === undefined
          ? `measuring: ${o.purchases} purchases at concurrency ${o.concurrency}`
          : `measuring: ${o.seconds} s at concurrency ${o.concurrency}`,
      );
      const parties = procs.filter((p) => p.pid !== process.pid);
      const signalParties = () => {
        for (const p of parties) process.kill(p.pid, "SIGUSR2");
      };
      const self = profileDir ? startProfiler(profileDir) : undefined;
      if (profileDir) signalParties();
      const sampler = startRssSampler(procs);
      const hostLoadBefore = os.loadavg()[0];
      const cpuBefore = cpuSnapshot(procs);
      const t0 = performance.now();
      const samples = await runLoad(
        { count: o.purchases, seconds: o.seconds, concurrency: o.concurrency },
        purchase,
      );
      const wallMs = performance.now() - t0;
      const cpuAfter = cpuSnapshot(procs);
      const rss = sampler.stop();
      const peak = memorySnapshot(procs);
      if (profileDir) {
        signalParties();
        self?.stop();
        // The parties write their profile on the signal; give them a moment to finish writing.
        await new Promise((r) => setTimeout(r, 1000));
        m.profiles = summarizeProfileDir(profileDir, new Map(procs.map((p) => [p.pid, p.name])), 10, true);
      }
      m.load = {
        concurrency: o.concurrency,
        warmup: o.warmup > 0 && purchases ? o.warmup : 0,
        hostLoad: [hostLoadBefore, os.loadavg()[0]],
        wallMs,
        samples,
        parties: procs.map((p) => ({
          name: p.name,
          cpuMs: cpuAfter[p.name] - cpuBefore[p.name],
          hwm: peak[p.name].hwm,
        })),
        rss,
      };
      ok &&= samples.length > 0 && samples.every((s) => s.outcome === "approved");
    }

    if (!o.skip.has("offered")) {
      log(`open loop: ${o.offeredRate} purchases/s offered for ${o.offeredSeconds} s`);
      const plan = { rate: o.offeredRate, seconds: o.offeredSeconds, maxInFlight: o.maxInFlight };
      m.offered = { plan, arrivals: await runOpenLoop(plan, purchase) };
    }

    if (!o.skip.has("cli")) {
      log(`set-lab purchase from the command line, ${o.cliRuns} runs`);
      m.cli = await timeCliPurchases(home, "visa-approve", o.cliRuns);
      ok &&= m.cli.failed === 0;
    }

    if (!o.skip.has("capture")) {
      log(`captures in batches of ${o.captureBatches.join(", ")}`);
      m.capture = await runCaptureBench(
        {
          pkiDir: state.pki,
          gatewaySet: `${state.parties.gateway.url.replace(/\/$/, "")}/set`,
          gatewayPid: state.parties.gateway.pid,
        },
        o.captureBatches,
        log,
      );
      ok &&= m.capture.every((b) => b.captured === b.batchSize);
    }

    if (!o.skip.has("underAttack")) {
      const plan = { rate: o.attackRate, seconds: o.attackSeconds, maxInFlight: o.maxInFlight };
      log(`under attack: ${plan.rate} purchases/s for ${plan.seconds} s quiet, then beside attack traffic`);
      // The bench's PC must hold its bond before the wrong codes lock pairing, as the owner's would.
      const quiet = await runOpenLoop(plan, purchase);
      const attack = await startAttackWorker(
        {
          merchantSet: `${target.merchant}/set`,
          gatewaySet: `${state.parties.gateway.url.replace(/\/$/, "")}/set`,
          phone: { host: target.phoneHost, port: target.phonePort },
          pairingCode: target.pairingCode,
        },
        defaultAttackRates,
      );
      let attacked: Awaited<ReturnType<typeof runOpenLoop>>;
      let peak: ReturnType<typeof memorySnapshot>;
      try {
        // Let the slow bodies take their connections before the first purchase arrives.
        await new Promise((r) => setTimeout(r, 2000));
        attacked = await runOpenLoop(plan, purchase);
        peak = memorySnapshot(procs);
      } catch (e) {
        await attack.stop().catch(() => undefined);
        throw e;
      }
      const traffic = await attack.stop();
      m.underAttack = {
        plan,
        quiet,
        attacked,
        attack: traffic,
        peakRss: Object.fromEntries(procs.map((p) => [p.name, peak[p.name].hwm])),
      };
      ok &&= attacked.every((a) => a.outcome === "approved");
    }
  } finally {
    await stop();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  return ok;
}

function main(argv: string[]): Promise<number> {
  return runCli({ name: "bench", usage: benchUsage }, () => bench(parseBenchOptions(argv, process.env)));
}

async function bench(o: BenchOptions): Promise<number> {
  const m: Mutable<BenchMeasurements> = {
    startedAt: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    clockTicks: clockTicksPerSecond(),
    logLevel: process.env.SETLAB_LOG_LEVEL ?? "info",
  };
  let ok = true;
  if (!o.skip.has("micro")) {
    const done = await micro(o);
    m.micro = done;
    ok &&= done.errors.length === 0;
  }
  if (!["load", "offered", "cli", "capture", "underAttack"].every((part) => o.skip.has(part as BenchPart)))
    ok = (await withLab(o, m)) && ok;
  const report = buildReport(m);
  process.stdout.write(formatReport(report));
  if (o.json) {
    fs.writeFileSync(o.json, `${JSON.stringify(report, null, 1)}\n`);
    log(`report written to ${o.json}`);
  }
  return ok ? 0 : 1;
}

runMain(main, { exitWhenDone: true });
