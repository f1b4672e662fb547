/**
 * One `set-lab purchase` from the command line against the running lab, timed from spawn to exit
 * as a user sees it (two Node start-ups, the lab CLI's and the mediator's, module loading, the card
 * link, the purchase, the inspection calls). Beside it, the floor: `node -e ""` alone.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { percentile } from "./percentile";

const labCli = path.resolve(__dirname, "..", "cli.js");

export interface CliTiming {
  /** Wall ms of each run, in order. */
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  /** Runs that did not exit 0 with an approved outcome, and the first one's stderr tail. */
  readonly failed: number;
  readonly firstFailure?: string;
  /** Median wall ms of `node -e ""` on this machine: one bare Node start-up and exit. */
  readonly nodeStartMedianMs: number;
}

function timedRun(
  args: readonly string[],
): Promise<{ ms: number; code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - start, code: code ?? 1, stdout, stderr });
    });
  });
}

export async function timeCliPurchases(home: string, card: string, runs: number): Promise<CliTiming> {
  const runsMs: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  for (let i = 0; i < runs; i++) {
    const r = await timedRun([labCli, "purchase", "--home", home, "--card", card, "--amount", "1", "--json"]);
    runsMs.push(r.ms);
    let approved = false;
    try {
      approved =
        (JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as { outcome?: string }).outcome === "approved";
    } catch {
      // not JSON: counted below
    }
    if (r.code !== 0 || !approved) {
      failed++;
      firstFailure ??= `exit ${r.code}: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ")}`;
    }
  }
  const bare: number[] = [];
  for (let i = 0; i < Math.max(3, runs); i++) bare.push((await timedRun(["-e", ""])).ms);
  return {
    runsMs,
    medianMs: percentile(runsMs, 50),
    minMs: runsMs.reduce((m, x) => Math.min(m, x), Number.POSITIVE_INFINITY),
    failed,
    ...(firstFailure ? { firstFailure } : {}),
    nodeStartMedianMs: percentile(bare, 50),
  };
}
