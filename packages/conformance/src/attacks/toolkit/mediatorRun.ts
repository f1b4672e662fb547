/**
 * Run the real mediator program (`set-mediator purchase --json`) against an initiation object, as
 * the buyer's PC would, and read its outcome line.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { AttackTarget } from "../attack";

export const mediatorScript = path.resolve(__dirname, "..", "..", "..", "..", "mediator", "dist", "cli.js");

export interface MediatorRun {
  readonly exitCode: number;
  /** The `--json` outcome line, when the mediator printed one. */
  readonly outcome?: {
    outcome: string;
    reason?: string;
    xid?: string;
    completionCode?: string;
    [k: string]: unknown;
  };
  readonly stdout: string;
  readonly stderr: string;
}

export function runMediator(
  target: AttackTarget,
  initiationUrl: string,
  options: { cardId?: string; timeoutMs?: number } = {},
): Promise<MediatorRun> {
  const phone = new URL(target.phoneUrl);
  const args = [
    mediatorScript,
    "purchase",
    "--initiation",
    initiationUrl,
    "--phone",
    `${phone.hostname}:${phone.port}`,
    "--card",
    options.cardId ?? "visa-approve",
    "--pin",
    target.pin,
    "--json",
  ];
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (target.pairingCode) env.SETLAB_PAIRING_CODE = target.pairingCode;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      let outcome: MediatorRun["outcome"];
      try {
        outcome = JSON.parse(stdout.trim().split("\n").filter(Boolean).pop() ?? "");
      } catch {
        outcome = undefined;
      }
      resolve({ exitCode: code ?? 1, outcome, stdout, stderr });
    });
  });
}
