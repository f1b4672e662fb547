/**
 * A shop program the tests run as its own Node process (the merchant README's quick-start, the
 * example shop): its stdout lines are collected, and a test waits for a line, not for a time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { BondCache, runPurchase } from "@setlab/mediator";
import type { Initiation } from "@setlab/protocol";
import { type LabState, pairingCodeOf } from "../labState";

export interface ShopProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** The first line (seen or to come) matching `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

export function startShopProcess(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): ShopProcess {
  const child = spawn(process.execPath, [file, ...args], { cwd, env: { ...process.env, ...env } });
  const lines: string[] = [];
  const waiting = new Set<() => void>();
  let ended = false;
  let stderr = "";
  let partial = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    for (const w of waiting) w();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) =>
    child.on("exit", () => {
      ended = true;
      for (const w of waiting) w();
      resolve();
    }),
  );
  return {
    child,
    lines,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const l of lines) {
            const m = l.match(pattern);
            if (m) {
              waiting.delete(check);
              return resolve(m);
            }
          }
          if (ended) {
            waiting.delete(check);
            reject(new Error(`the shop ended before ${pattern}: ${stderr.slice(-2000)}`));
          }
        };
        waiting.add(check);
        check();
      });
    },
    async stop() {
      if (!ended) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The buyer pays the initiation with a lab test card on the lab's phone. */
export async function payWithLabCard(
  state: LabState,
  initiation: Initiation,
  cardId: string,
  bonds = new BondCache(),
) {
  const [host, port] = state.parties.phone.url.replace(/^tcp:\/\//, "").split(":");
  return runPurchase({
    initiation,
    card: { host, port: Number(port), cardId, pin: state.pin, pairingCode: pairingCodeOf(state), bonds },
  });
}
