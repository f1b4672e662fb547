/**
 * The protocol and CA benchmarks, each in its own Node process (as `node .../bench ... --json`), so
 * their heaps and JIT state do not colour the end-to-end figures, and run before the lab starts,
 * on a machine that is otherwise quiet.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { ProtocolBenchResult } from "@setlab/protocol/bench";

const packages = path.resolve(__dirname, "..", "..", "..");
const scripts = {
  protocol: path.join(packages, "protocol", "dist", "bench", "index.js"),
  ca: path.join(packages, "ca", "dist", "bench.js"),
};

export interface CaBenchResult {
  readonly rates: readonly { id: string; name: string; perSecond: number; ms: number; runs: number }[];
}

function runJson<T>(script: string, seconds: number): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, "--json"],
      {
        env: { ...process.env, BENCH_MICRO_SECONDS: String(seconds) },
        maxBuffer: 16 * 2 ** 20,
        timeout: 30 * 60_000,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(`${path.basename(script)}: ${(stderr || error.message).trim().split("\n").pop()}`),
          );
          return;
        }
        try {
          resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "") as T);
        } catch {
          reject(new Error(`${path.basename(script)} printed no JSON report`));
        }
      },
    );
  });
}

export const runProtocolMicro = (seconds: number) => runJson<ProtocolBenchResult>(scripts.protocol, seconds);
export const runCaMicro = (seconds: number) => runJson<CaBenchResult>(scripts.ca, seconds);
