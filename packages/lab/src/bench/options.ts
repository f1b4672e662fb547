/**
 * What one `pnpm bench` run measures, from its flags and BENCH_* variables (a flag wins over its
 * variable). Pure: the caller passes argv and the environment.
 */
import { parseArgs } from "node:util";
import { UsageError } from "@setlab/runtime";

export const benchParts = ["micro", "load", "offered", "cli", "capture", "underAttack"] as const;
export type BenchPart = (typeof benchParts)[number];

export interface BenchOptions {
  /** Seconds per protocol and CA figure (BENCH_MICRO_SECONDS, default 2). */
  readonly microSeconds: number;
  /** Seconds per raw-crypto figure of the load's bound (BENCH_CRYPTO_SECONDS, default 1). */
  readonly cryptoSeconds: number;
  /** The closed-loop load: a count of purchases (BENCH_PURCHASES, default 100)... */
  readonly purchases?: number;
  /** ...or a duration (BENCH_SECONDS), which wins when given. */
  readonly seconds?: number;
  /** Purchases in flight in the closed loop (BENCH_CONCURRENCY, default 8). */
  readonly concurrency: number;
  /** Purchases before the measured window, not counted (BENCH_WARMUP, default 4 x concurrency). */
  readonly warmup: number;
  /** The open loop: arrivals per second (--rate, BENCH_OFFERED_RATE, default 50)... */
  readonly offeredRate: number;
  /** ...for this long (--offered-seconds, BENCH_OFFERED_SECONDS, default 10). */
  readonly offeredSeconds: number;
  /** Arrivals beyond this many in flight are not started and count as lost (BENCH_MAX_IN_FLIGHT, 200). */
  readonly maxInFlight: number;
  /**
   * Under attack: purchases offered per second (BENCH_ATTACK_RATE, default 10) for this long
   * (BENCH_ATTACK_SECONDS, default 20: longer than the parties' 15 s request timeout, so the
   * window sees slow bodies cut and replaced), once quiet and once beside the attack traffic.
   */
  readonly attackRate: number;
  readonly attackSeconds: number;
  /** Timed `set-lab purchase` runs (--cli-runs, BENCH_CLI_RUNS, default 5). */
  readonly cliRuns: number;
  /** Write the whole report as JSON here (--json FILE). */
  readonly json?: string;
  /** Profile the parties and this process over the closed-loop window into DIR (--profile DIR). */
  readonly profile?: string;
  /** Capture batch sizes (BENCH_CAPTURE_BATCHES, default 1,100,1000). */
  readonly captureBatches: readonly number[];
  /** Parts to leave out (--skip micro,offered,...; --only capture leaves out all but capture). */
  readonly skip: ReadonlySet<BenchPart>;
}

/**
 * The closed loop measures a lab in its steady state: 3000 untimed purchases first, because a
 * fresh lab spends a large share of its CPU compiling (TurboFan jobs were 13-16 % of every
 * process after 32 purchases, about 5 % of all CPU 1500-3000 purchases in, 1.5 % after 5000) and
 * filling its caches. `BENCH_WARMUP=32` gives the cold figures; docs/performance.md records both.
 */
export const defaultWarmup = 3000;
/**
 * Enough purchases that CPU ticks (10 ms) and the p99 of the window mean something, and that the
 * window (about 12 s) spans the machine's shorter swings in speed.
 */
export const defaultPurchases = 1000;

export const benchUsage = `usage: pnpm bench [--json FILE] [--profile DIR] [--rate N] [--offered-seconds S]
                  [--cli-runs N] [--skip ${benchParts.join(",")}] [--only PART,...]
environment: BENCH_PURCHASES, BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_WARMUP, BENCH_CRYPTO_SECONDS,
  BENCH_MICRO_SECONDS, BENCH_OFFERED_RATE, BENCH_OFFERED_SECONDS, BENCH_MAX_IN_FLIGHT, BENCH_CLI_RUNS,
  BENCH_ATTACK_RATE, BENCH_ATTACK_SECONDS, BENCH_CAPTURE_BATCHES (default 1,100,1000),
  SETLAB_LOG_LEVEL (the parties' log level)`;

function positive(name: string, raw: string | undefined, integer: boolean, zero = false): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zero) || (integer && !Number.isInteger(n)))
    throw new UsageError(
      `${name} must be a ${zero ? "non-negative" : "positive"} ${integer ? "integer" : "number"}, not "${raw}"`,
    );
  return n;
}

export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        json: { type: "string" },
        profile: { type: "string" },
        rate: { type: "string" },
        "offered-seconds": { type: "string" },
        "cli-runs": { type: "string" },
        skip: { type: "string" },
        only: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const partsOf = (flag: "skip" | "only") => {
    const parts = new Set<BenchPart>();
    for (const part of String(values[flag] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (!(benchParts as readonly string[]).includes(part))
        throw new UsageError(`--${flag} takes ${benchParts.join(", ")}, not "${part}"`);
      parts.add(part as BenchPart);
    }
    return parts;
  };
  const skip = partsOf("skip");
  if (values.only !== undefined) {
    if (values.skip !== undefined) throw new UsageError("--only and --skip do not go together");
    const only = partsOf("only");
    if (only.size === 0) throw new UsageError("--only needs a part");
    for (const part of benchParts) if (!only.has(part)) skip.add(part);
  }
  const captureBatches = String(env.BENCH_CAPTURE_BATCHES ?? "1,100,1000")
    .split(",")
    .map((x) => positive("BENCH_CAPTURE_BATCHES", x.trim(), true) ?? 0);
  if (captureBatches.some((n) => n === 0 || n > 100_000))
    throw new UsageError("BENCH_CAPTURE_BATCHES is a list of batch sizes from 1 to 100000");
  const flag = (name: string) => values[name] as string | undefined;
  const seconds = positive("BENCH_SECONDS", env.BENCH_SECONDS, false);
  const concurrency = positive("BENCH_CONCURRENCY", env.BENCH_CONCURRENCY, true) ?? 8;
  for (const [name, v] of [
    ["--json", values.json],
    ["--profile", values.profile],
  ] as const)
    if (v === "") throw new UsageError(`${name} needs a path`);
  return {
    microSeconds: positive("BENCH_MICRO_SECONDS", env.BENCH_MICRO_SECONDS, false) ?? 2,
    cryptoSeconds: positive("BENCH_CRYPTO_SECONDS", env.BENCH_CRYPTO_SECONDS, false) ?? 1,
    ...(seconds === undefined
      ? { purchases: positive("BENCH_PURCHASES", env.BENCH_PURCHASES, true) ?? defaultPurchases }
      : { seconds }),
    concurrency,
    warmup: positive("BENCH_WARMUP", env.BENCH_WARMUP, true, true) ?? defaultWarmup,
    offeredRate:
      positive("--rate", flag("rate"), false) ??
      positive("BENCH_OFFERED_RATE", env.BENCH_OFFERED_RATE, false) ??
      50,
    offeredSeconds:
      positive("--offered-seconds", flag("offered-seconds"), false) ??
      positive("BENCH_OFFERED_SECONDS", env.BENCH_OFFERED_SECONDS, false) ??
      10,
    maxInFlight: positive("BENCH_MAX_IN_FLIGHT", env.BENCH_MAX_IN_FLIGHT, true) ?? 200,
    attackRate: positive("BENCH_ATTACK_RATE", env.BENCH_ATTACK_RATE, false) ?? 10,
    attackSeconds: positive("BENCH_ATTACK_SECONDS", env.BENCH_ATTACK_SECONDS, false) ?? 20,
    cliRuns:
      positive("--cli-runs", flag("cli-runs"), true) ??
      positive("BENCH_CLI_RUNS", env.BENCH_CLI_RUNS, true) ??
      5,
    ...(values.json === undefined ? {} : { json: values.json as string }),
    ...(values.profile === undefined ? {} : { profile: values.profile as string }),
    captureBatches,
    skip,
  };
}
