/** Operations per second of an async operation: warm up, then run sequentially for a fixed time. */
export interface Rate {
  readonly name: string;
  readonly perSecond: number;
  /** Mean wall milliseconds per operation. */
  readonly ms: number;
  /**
   * Mean CPU milliseconds per operation (this process, every thread, so WebCrypto's thread pool
   * too): steadier than wall time when other work shares the machine.
   */
  readonly cpuMs: number;
  readonly runs: number;
}

/**
 * The untimed warm-up before a steady-state figure: a tenth of its time, and at least this many
 * runs. Five runs, as before 2026-12-08, left V8 tiering the path up inside the timed window: the
 * merchant's warm PReq check (about 20 000 runs in 2 s) read 0.094 ms of wall time a run there,
 * and 0.072-0.077 ms after 20 000 untimed runs, measured in the same minutes.
 */
const MIN_WARM_UP_RUNS = 200;

export async function measure(name: string, op: () => Promise<unknown>, seconds = 2): Promise<Rate> {
  const warmUntil = performance.now() + seconds * 100;
  for (let i = 0; i < MIN_WARM_UP_RUNS || performance.now() < warmUntil; i++) await op();
  const budget = seconds * 1000;
  const start = performance.now();
  const cpu = process.cpuUsage();
  let runs = 0;
  while (performance.now() - start < budget) {
    await op();
    runs++;
  }
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    name,
    perSecond: (runs * 1000) / elapsed,
    ms: elapsed / runs,
    cpuMs: (used.user + used.system) / 1000 / runs,
    runs,
  };
}

/**
 * Each of `ops` once, in order, timed together after `prepare` (untimed) before each: for work
 * that is only itself the first time, such as verifying certificates the process has never seen.
 * The first `warmUp` ops are not timed: they run `rounds` times each, with `prepare` before every
 * run, so that the JIT has compiled the path before the timed ops see their inputs once.
 */
export async function measureEach(
  name: string,
  ops: readonly (() => Promise<unknown>)[],
  prepare: () => void,
  warmUp: number,
  rounds = 1,
): Promise<Rate> {
  if (ops.length <= warmUp) throw new RangeError("measureEach needs more ops than warm-up runs");
  for (let round = 0; round < rounds; round++)
    for (const op of ops.slice(0, warmUp)) {
      prepare();
      await op();
    }
  let wall = 0;
  let cpu = 0;
  const timed = ops.slice(warmUp);
  // No collection is forced between ops: a full collection before each op made the op after it
  // two to three times slower (docs/performance.md, "First sight").
  for (const op of timed) {
    prepare();
    const start = performance.now();
    const before = process.cpuUsage();
    await op();
    const used = process.cpuUsage(before);
    wall += performance.now() - start;
    cpu += (used.user + used.system) / 1000;
  }
  return {
    name,
    perSecond: (timed.length * 1000) / wall,
    ms: wall / timed.length,
    cpuMs: cpu / timed.length,
    runs: timed.length,
  };
}
