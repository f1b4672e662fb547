/**
 * Starting parties as detached background processes that outlive `set-lab up`: stdout and stderr
 * go to files in the lab home, and the lab waits for the `listening` line the party writes to stdout.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { isAlive, LabFailure } from "./labState";

export interface Spawned {
  readonly pid: number;
  readonly url: string;
  /** The admin listener's URL, when the party announced one. */
  readonly adminUrl?: string;
  readonly log: string;
}

export async function spawnParty(
  name: string,
  script: string,
  args: readonly string[],
  files: { out: string; log: string },
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 30_000,
): Promise<Spawned> {
  if (!fs.existsSync(script)) throw new LabFailure(`${script} is missing: build first (npx tsc -b)`);
  const out = fs.openSync(files.out, "w", 0o600);
  const log = fs.openSync(files.log, "a", 0o600);
  // What this start writes to the log begins here (a restart appends to the same file).
  const logFrom = fs.fstatSync(log).size;
  const child = spawn(process.execPath, [script, ...args], {
    detached: true,
    stdio: ["ignore", out, log],
    env,
  });
  fs.closeSync(out);
  fs.closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new LabFailure(`cannot start ${name}`);
  let exited: number | null | undefined;
  child.on("exit", (code) => {
    exited = code;
  });
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = fs.readFileSync(files.out, "utf8");
    const line = text.split("\n").find((l) => l.includes('"event":"listening"'));
    if (line) {
      const ready = JSON.parse(line) as { url: string; pid: number; adminUrl?: string };
      return { pid, url: ready.url, log: files.log, ...(ready.adminUrl ? { adminUrl: ready.adminUrl } : {}) };
    }
    if (exited !== undefined || !isAlive(pid))
      throw new LabFailure(
        `${name} exited (code ${exited}) before listening: ${refusalIn(files.log, logFrom)}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(pid, "SIGKILL");
  throw new LabFailure(`${name} did not start within ${timeoutMs} ms; see ${files.log}`);
}

/** Stop a process and wait until it is gone (SIGKILL after `graceMs`). */
export async function stopProcess(pid: number, graceMs = 5000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {}
}

/**
 * Why a party would not start, in one line: its program's own refusal (`set-merchant: ...`, the one
 * line a party's CLI writes before its usage), else where to look.
 */
function refusalIn(file: string, from: number): string {
  let text = "";
  try {
    text = fs.readFileSync(file).subarray(from).toString("utf8");
  } catch {}
  const refusal = text
    .split("\n")
    .reverse()
    .find((l) => /^set-[a-z]+: /.test(l));
  return refusal ? `${refusal} (see ${file})` : `see ${file}`;
}
