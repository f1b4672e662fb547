/**
 * One `set-lab purchase` from the command line against the running lab, timed from spawn to exit
 * as a user sees it (Node start-up, module loading, the lab CLI and the mediator it runs, the card
 * link, the purchase, the inspection calls). Beside it, the floor: `node -e ""` alone.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readState } from "../labState";
import { type NodeRun, runNode } from "../nodeRun";
import { percentile } from "./percentile";
import { type Phase, type ProcessTimeline, phasesOf } from "./startupTimeline";

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
  /**
   * One more run, not in the figures above, with the start-up timeline preload in both processes:
   * where its wall time went (startupTimeline.ts). Absent when the timelines could not be read.
   */
  readonly breakdown?: { readonly lab: readonly Phase[]; readonly mediator?: readonly Phase[] };
}

function timedRun(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<NodeRun> {
  return runNode(args, env, 120_000);
}

/** One purchase with the timeline preload in the lab CLI and the mediator it starts. */
async function tracedRun(home: string, args: readonly string[]): Promise<CliTiming["breakdown"]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-timeline-"));
  try {
    const preload = path.join(__dirname, "startupTimelinePreload.js");
    await timedRun(args, {
      ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} -r ${JSON.stringify(preload)}`.trim(),
      SETLAB_TIMELINE_DIR: dir,
    });
    const timelines = fs
      .readdirSync(dir)
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as ProcessTimeline);
    const lab = timelines.find((t) => t.script.endsWith("lab/dist/cli.js"));
    const mediator = timelines.find((t) => t.script.endsWith("mediator/dist/cli.js"));
    if (!lab) return undefined;
    const cardPort = Number(new URL(readState(home).parties.phone.url).port);
    // The lab runs the mediator in its own process unless told --separate-mediator.
    return mediator
      ? { lab: phasesOf(lab), mediator: phasesOf(mediator, cardPort) }
      : { lab: phasesOf(lab, cardPort) };
  } catch {
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function timeCliPurchases(home: string, card: string, runs: number): Promise<CliTiming> {
  const runsMs: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  const args = [labCli, "purchase", "--home", home, "--card", card, "--amount", "1", "--json"];
  for (let i = 0; i < runs; i++) {
    const r = await timedRun(args);
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
  const breakdown = await tracedRun(home, args);
  return {
    runsMs,
    medianMs: percentile(runsMs, 50),
    minMs: runsMs.reduce((m, x) => Math.min(m, x), Number.POSITIVE_INFINITY),
    failed,
    ...(firstFailure ? { firstFailure } : {}),
    nodeStartMedianMs: percentile(bare, 50),
    ...(breakdown ? { breakdown } : {}),
  };
}
