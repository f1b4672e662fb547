/**
 * Run the real mediator program (`set-mediator purchase --json`) against an initiation object, as
 * the buyer's PC would, and read its outcome line.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { AttackTarget } from "../attack";
import { linesOf, phoneScreen, readCodeFromScreen } from "./rogueCard";

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
    "--json",
  ];
  // Secrets in the environment (this user's only), never on a command line others can read.
  const env: NodeJS.ProcessEnv = { ...process.env, SETLAB_PIN: target.pin };
  delete env.SETLAB_PAIRING_CODE;
  if (target.pairingCode) env.SETLAB_PAIRING_CODE = target.pairingCode;
  // Without the lab's code the buyer reads the phone's screen and types the code when asked.
  const screen = target.pairingCode ? undefined : phoneScreen(target.home);
  const skip = screen ? linesOf(screen) : 0;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    let typed = false;
    child.stdin.on("error", () => undefined);
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      if (screen && !typed && stderr.includes("pairing code")) {
        typed = true;
        readCodeFromScreen(screen, skip)().then(
          (code) => child.stdin.end(`${code}\n`),
          () => child.stdin.end(),
        );
      }
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
