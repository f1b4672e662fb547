/**
 * `pnpm bench` (lab): purchases end to end through every party on loopback. Gateway, merchant and
 * phone run as separate processes (`set-lab up` in a temporary home); this process plays browser
 * and mediator. It prints throughput, latency, CPU per purchase per party, memory per process, and,
 * measured in the same run, the raw crypto bound: RSA-2048 private-key operations per second
 * divided by the private-key operations one purchase needs.
 *
 * Environment: BENCH_PURCHASES (default 100), BENCH_SECONDS (run that long instead of a count),
 * BENCH_CONCURRENCY (default 8), BENCH_WARMUP (default 4 x concurrency), BENCH_CRYPTO_SECONDS
 * (per raw-crypto figure, default 1), SETLAB_LOG_LEVEL (the parties' log level, default info).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { down } from "../commands/down";
import { resolveCard } from "../commands/purchase";
import { up } from "../commands/up";
import { type LabState, pairingCodeOf } from "../labState";
import { type BenchCard, type LabTarget, onePurchase, runLoad, type Sample } from "./load";
import { cpuSnapshot, memorySnapshot, startRssSampler, type Watched } from "./monitor";
import { clockTicksPerSecond } from "./procStats";
import { measureRawCrypto } from "./rawCrypto";
import { type BenchResult, formatReport } from "./report";

function envNumber(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not "${raw}"`);
  return n;
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<number> {
  const seconds = envNumber("BENCH_SECONDS", undefined);
  const count = seconds === undefined ? Math.floor(envNumber("BENCH_PURCHASES", 100)!) : undefined;
  const concurrency = Math.floor(envNumber("BENCH_CONCURRENCY", 8)!);
  const warmup = Math.floor(envNumber("BENCH_WARMUP", 4 * concurrency)!);
  const cryptoSeconds = envNumber("BENCH_CRYPTO_SECONDS", 1)!;

  log(`raw crypto (${cryptoSeconds} s per figure)`);
  const raw = await measureRawCrypto(cryptoSeconds);

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
  try {
    log(`starting the lab in ${home}`);
    started = true;
    let state: LabState;
    try {
      state = await up({ home, log });
    } catch (e) {
      started = false;
      throw e;
    }
    const phone = new URL(state.parties.phone.url);
    const target: LabTarget = {
      merchant: state.parties.merchant.url.replace(/\/$/, ""),
      phoneHost: phone.hostname,
      phonePort: Number(phone.port),
      pin: state.pin,
      pairingCode: pairingCodeOf(state),
    };
    const cards: BenchCard[] = ["visa-approve", "mc-approve"].map((id) => resolveCard(state.pki, id));
    const purchase = (i: number) => onePurchase(target, cards[i % cards.length]);

    log(`warm-up: ${warmup} purchases`);
    const warm = await runLoad({ count: warmup, concurrency }, purchase);
    const warmFailed = warm.filter((s) => s.outcome !== "approved");
    if (warmFailed.length > 0)
      throw new Error(
        `warm-up purchase not approved: ${warmFailed[0].outcome} ${warmFailed[0].reason ?? ""}`,
      );

    const procs: Watched[] = [
      { name: "gateway", pid: state.parties.gateway.pid },
      { name: "merchant", pid: state.parties.merchant.pid },
      { name: "phone", pid: state.parties.phone.pid },
      { name: "mediator+browser", pid: process.pid },
    ];
    log(
      seconds === undefined
        ? `measuring: ${count} purchases at concurrency ${concurrency}`
        : `measuring: ${seconds} s at concurrency ${concurrency}`,
    );
    const sampler = startRssSampler(procs);
    const loadBefore = os.loadavg()[0];
    const cpuBefore = cpuSnapshot(procs);
    const t0 = performance.now();
    const samples: Sample[] = await runLoad({ count, seconds, concurrency }, purchase);
    const wallMs = performance.now() - t0;
    const cpuAfter = cpuSnapshot(procs);
    const rss = sampler.stop();
    const peak = memorySnapshot(procs);

    const result: BenchResult = {
      node: process.version,
      cpus: os.cpus().length,
      clockTicks: clockTicksPerSecond(),
      logLevel: process.env.SETLAB_LOG_LEVEL ?? "info",
      concurrency,
      load: [loadBefore, os.loadavg()[0]],
      wallMs,
      samples,
      parties: procs.map((p) => ({
        name: p.name,
        cpuMs: cpuAfter[p.name] - cpuBefore[p.name],
        hwm: peak[p.name].hwm,
      })),
      rss,
      raw,
    };
    process.stdout.write(formatReport(result));
    return samples.every((s) => s.outcome === "approved") && samples.length > 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
