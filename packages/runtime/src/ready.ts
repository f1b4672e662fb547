/**
 * How a party's process tells its parent it is ready: one JSON line on stdout,
 * `{"event":"listening","party":...,"url":...,"pid":...}`. The lab and the integration tests
 * start processes and wait for that line (`waitForListening`).
 */
import { type ChildProcess, spawn } from "node:child_process";

export interface Listening {
  readonly event: "listening";
  readonly party: string;
  readonly url: string;
  readonly pid: number;
  /** The admin listener (docs/threat-model.md), when the party serves one. */
  readonly adminUrl?: string;
}

export function announceListening(party: string, url: string, adminUrl?: string): void {
  const line = { event: "listening", party, url, pid: process.pid, ...(adminUrl ? { adminUrl } : {}) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export interface StartedParty {
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  /** The admin listener's URL, when the party announced one. */
  readonly adminUrl?: string;
  /** Everything the process wrote to stderr so far (its logs). */
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Start `node script args...` and resolve when it announces it is listening. */
export function startParty(
  script: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; detached?: boolean } = {},
): Promise<StartedParty> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached,
  });
  let err = "";
  let out = "";
  child.stderr?.on("data", (d) => {
    err += d;
    if (err.length > 4_000_000) err = err.slice(-2_000_000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`${script} did not start within ${options.timeoutMs ?? 30_000} ms: ${err.slice(-2000)}`),
      );
    }, options.timeoutMs ?? 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before listening: ${err.slice(-2000)}`));
    });
    child.stdout?.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.includes('"event":"listening"'));
      if (!line) return;
      clearTimeout(timer);
      const ready = JSON.parse(line) as Listening;
      child.removeAllListeners("exit");
      resolve({
        child,
        url: ready.url,
        pid: ready.pid,
        ...(ready.adminUrl ? { adminUrl: ready.adminUrl } : {}),
        stderr: () => err,
        stop: (signal = "SIGTERM") =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.kill(signal);
          }),
      });
    });
  });
}
