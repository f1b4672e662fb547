#!/usr/bin/env node
/**
 * `set-conformance` (from the repo root: `pnpm attacks`): run the attack catalogue against a
 * lab. With `--home` pointing at a running lab (`pnpm lab up`) it attacks that lab; without, it
 * starts a fresh lab in a temporary directory, attacks it and stops it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { down, up } from "@setlab/lab";
import { type CliProgram, runCli, runMain, UsageError } from "@setlab/runtime";
import { drawRunSeed, parseRunSeed } from "./attacks/attackRandom";
import { attackCatalog } from "./attacks/catalog";
import { type AttackResult, runAttacks } from "./attacks/runner";
import { TargetError, targetOfLab } from "./attacks/target";

const usage = `usage: set-conformance attacks [--home DIR] [--only PREFIX] [--seed N] [--list] [--json]
  --home DIR     attack the lab running from DIR (default: start a fresh lab, attack it, stop it)
  --only PREFIX  only the attacks whose id starts with PREFIX (e.g. replay/, certificate/)
  --seed N       the run seed (0..4294967295) the attacks draw their random choices from;
                 default: a fresh one, printed first, so that --seed N replays the run
  --list         list the attacks and exit
  --json         one JSON object per attack on stdout`;

/** A lab that cannot be attacked (not running, unreadable) is the caller's to fix: exit 2. */
const program: CliProgram = {
  name: "set-conformance",
  usage,
  exitCodeOf: (e) => (e instanceof TargetError ? 2 : undefined),
};

const out = (s: string) => process.stdout.write(`${s}\n`);

function row(r: AttackResult): string {
  const verdict = r.error
    ? "KIT ERROR"
    : r.asExpected
      ? r.attack.succeedsUnderSetProfile
        ? "GAP SHOWN"
        : "refused"
      : "NOT REFUSED";
  const by = r.outcome?.refusedBy ?? "-";
  const signal = r.outcome?.signal ?? "-";
  const detail = r.error ?? r.outcome?.detail ?? "";
  return `${verdict.padEnd(11)} ${r.attack.id.padEnd(48)} ${by.padEnd(9)} ${signal.padEnd(26)} ${detail}`;
}

async function attacks(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      home: { type: "string" },
      only: { type: "string" },
      seed: { type: "string" },
      list: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  const chosen = attackCatalog.filter((a) => !values.only || a.id.startsWith(values.only));
  if (values.list) {
    for (const a of chosen) out(`${a.id.padEnd(48)} ${a.category.padEnd(22)} ${a.title}`);
    return 0;
  }
  if (chosen.length === 0) throw new UsageError(`no attack id starts with "${values.only}"`);
  const seed = values.seed === undefined ? drawRunSeed() : parseRunSeed(values.seed);
  if (seed === undefined) throw new UsageError(`--seed takes an integer 0..4294967295, not "${values.seed}"`);
  // Before anything can fail, so that a run that dies can still be replayed.
  process.stderr.write(`seed ${seed} (--seed ${seed} replays these choices)\n`);
  let home = values.home;
  let own: string | undefined;
  if (!home) {
    own = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-attacks-"));
    home = own;
    process.stderr.write(`starting a fresh lab in ${home}\n`);
    await up({ home, log: (l) => process.stderr.write(`${l}\n`) });
  }
  try {
    const target = targetOfLab(home);
    if (!values.json) {
      out(`seed ${seed}`);
      out(`${"verdict".padEnd(11)} ${"attack".padEnd(48)} ${"by".padEnd(9)} ${"signal".padEnd(26)} detail`);
    }
    const results = await runAttacks(chosen, target, {
      seed,
      onResult: (r) =>
        out(
          values.json
            ? JSON.stringify({
                id: r.attack.id,
                category: r.attack.category,
                seed,
                asExpected: r.asExpected,
                error: r.error,
                ms: r.ms,
                ...r.outcome,
              })
            : row(r),
        ),
    });
    const failed = results.filter((r) => !r.asExpected).length;
    const gaps = results.filter((r) => r.asExpected && r.attack.succeedsUnderSetProfile).length;
    if (!values.json)
      out(
        `${results.length} attacks: ${results.length - failed - gaps} refused, ${gaps} documented SET 1.0 gaps shown, ${failed} not as expected (seed ${seed})`,
      );
    return failed === 0 ? 0 : 1;
  } finally {
    if (own) {
      await down(own).catch(() => undefined);
      fs.rmSync(own, { recursive: true, force: true });
    }
  }
}

function main(argv: string[]): Promise<number> {
  return runCli(program, async () => {
    const [command, ...rest] = argv;
    if (command === "attacks") return await attacks(rest);
    if (command === "help" || command === "--help" || command === "-h" || command === undefined) {
      out(usage);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  });
}

// The attacks leave sockets of the lab they stopped: end the process with the verdict.
runMain(main, { exitWhenDone: true });
