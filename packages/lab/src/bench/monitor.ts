/** CPU time and memory of each process of the run, read from /proc: snapshots and a 1 s RSS sampler. */
import { cpuMs, type Memory, memory } from "./procStats";

export interface Watched {
  readonly name: string;
  readonly pid: number;
}

export interface RssSample {
  /** Milliseconds since the sampler started. */
  readonly at: number;
  /** VmRSS by process name, bytes. */
  readonly rss: Record<string, number>;
}

export const cpuSnapshot = (procs: readonly Watched[]): Record<string, number> =>
  Object.fromEntries(procs.map((p) => [p.name, cpuMs(p.pid)]));

export const memorySnapshot = (procs: readonly Watched[]): Record<string, Memory> =>
  Object.fromEntries(procs.map((p) => [p.name, memory(p.pid)]));

/** Sample every process's RSS every `everyMs` until stopped. */
export function startRssSampler(procs: readonly Watched[], everyMs = 1000) {
  const samples: RssSample[] = [];
  const t0 = performance.now();
  const take = () => {
    try {
      const m = memorySnapshot(procs);
      samples.push({
        at: performance.now() - t0,
        rss: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.rss])),
      });
    } catch {
      // a process that died shows up in the purchases' outcomes
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    samples,
    stop(): RssSample[] {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** The samples at the start, middle and end of a run (by time). */
export function startMiddleEnd<T>(samples: readonly T[]): [T, T, T] | undefined {
  if (samples.length === 0) return undefined;
  return [samples[0], samples[Math.floor((samples.length - 1) / 2)], samples[samples.length - 1]];
}
