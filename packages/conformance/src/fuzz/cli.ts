#!/usr/bin/env node
/**
 * `pnpm fuzz [--runs N] [--target NAME|--list] [--seed S] [--budget MS]`: property-based fuzzing
 * of every decoder, every HTTP endpoint of merchant, gateway and CA, and the card's command
 * interface, in-process against real parties (a fresh lab PKI, real SQLite files). One row per
 * target; exit 1 when any target failed, 2 for bad arguments.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type CliProgram, runCli, runMain, UsageError } from "@setlab/runtime";
import { buildCorpus } from "./corpus";
import { type FuzzTarget, runTarget, type TargetReport } from "./harness";
import { formatReport, formatRow, header } from "./report";
import { allTargets } from "./targets";
import { createWorld } from "./world";

export const DEFAULT_RUNS = 100_000;

interface Args {
  help?: boolean;
  runs?: number;
  target?: string;
  list: boolean;
  seed?: number;
  budgetMs: number;
  dump?: string;
}

const usage =
  "usage: pnpm fuzz [--runs N] [--target NAME[,NAME...] (exact or substring)] [--list] [--seed S] [--budget MS (per input, default 2000)] [--dump DIR (shrunk failing inputs)]";

function parseArgs(argv: readonly string[]): Args {
  const out: Args = { list: false, budgetMs: 2000 };
  const int = (flag: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (v === undefined || !/^-?\d+$/.test(v) || n < min)
      throw new UsageError(`${flag} needs an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case "--runs":
        out.runs = int(flag, argv[++i], 1);
        break;
      case "--seed":
        out.seed = int(flag, argv[++i], -(2 ** 31)) | 0;
        break;
      case "--budget":
        out.budgetMs = int(flag, argv[++i], 1);
        break;
      case "--target": {
        const v = argv[++i];
        if (!v) throw new UsageError("--target needs a name");
        out.target = v;
        break;
      }
      case "--dump": {
        const v = argv[++i];
        if (!v) throw new UsageError("--dump needs a directory");
        out.dump = v;
        break;
      }
      case "--list":
        out.list = true;
        break;
      case "--help":
      case "-h":
        out.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  return out;
}

/** Targets by exact name, or by substring; several selectors separated by commas. */
function select(targets: FuzzTarget<unknown>[], names: string | undefined): FuzzTarget<unknown>[] {
  if (names === undefined) return targets;
  const chosen = new Set<FuzzTarget<unknown>>();
  for (const name of names.split(",").filter((n) => n.length > 0)) {
    const exact = targets.filter((t) => t.name === name);
    const some = exact.length > 0 ? exact : targets.filter((t) => t.name.includes(name));
    if (some.length === 0) throw new UsageError(`no target matches "${name}" (try --list)`);
    for (const t of some) chosen.add(t);
  }
  return targets.filter((t) => chosen.has(t));
}

/** A failure of the fuzzer itself (not a target's: those are rows) exits 2, like an argument error. */
const program: CliProgram = { name: "fuzz", usage, failureCode: 2 };

function main(argv: readonly string[]): Promise<number> {
  return runCli(program, () => fuzz(argv));
}

async function fuzz(argv: readonly string[]): Promise<number> {
  Error.stackTraceLimit = 50; // a failure's stack reaches past the library frames to the caller
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  process.stderr.write("fuzz: making a lab PKI and the parties, capturing a purchase for the corpus...\n");
  const world = await createWorld();
  try {
    const corpus = await buildCorpus(world);
    const targets = select(await allTargets(world, corpus), args.target);
    if (args.list) {
      for (const t of targets) process.stdout.write(`${t.name}\t${t.family}\n`);
      return 0;
    }
    const seed = args.seed ?? Date.now() & 0x7fffffff;
    process.stdout.write(`seed ${seed}\n${header()}\n`);
    const reports: TargetReport[] = [];
    let heapBeforeMb: number | undefined;
    for (const t of targets) {
      const runs = args.runs ?? t.defaultRuns?.runs ?? DEFAULT_RUNS;
      const started = Date.now();
      const report = await runTarget(t, {
        runs,
        seed,
        budgetMs: args.budgetMs,
        heapBeforeMb,
        onProgress: (n) =>
          process.stderr.write(
            `fuzz: ${t.name}: ${n}/${runs} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
          ),
      });
      reports.push(report);
      heapBeforeMb = report.heapAfterMb;
      process.stdout.write(`${formatRow(report)}\n`);
      if (args.runs === undefined && t.defaultRuns)
        process.stdout.write(
          `  note: ${t.name} runs ${t.defaultRuns.runs} by default: ${t.defaultRuns.why}\n`,
        );
      if (report.failure) process.stdout.write(`${formatReport(report)}\n`);
      if (report.failure?.input && args.dump) {
        fs.mkdirSync(args.dump, { recursive: true });
        const file = path.join(args.dump, `${t.name.replace(/[^A-Za-z0-9._-]+/g, "_")}.bin`);
        fs.writeFileSync(file, report.failure.input);
        process.stdout.write(`  shrunk input written to ${file}\n`);
      }
    }
    const failed = reports.filter((r) => r.failures > 0);
    const tried = reports.reduce((n, r) => n + r.tried, 0);
    process.stdout.write(
      `${reports.length} target(s), ${tried} input(s), ${failed.length} failing target(s)${failed.length ? `: ${failed.map((r) => r.target).join(", ")}` : ""}\n`,
    );
    return failed.length > 0 ? 1 : 0;
  } finally {
    await world.close();
  }
}

if (require.main === module) runMain(main, { exitWhenDone: true });
