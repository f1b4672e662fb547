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

async function warmUp(op: () => Promise<unknown>, seconds: number): Promise<void> {
  const warmUntil = performance.now() + seconds * 100;
  for (let i = 0; i < MIN_WARM_UP_RUNS || performance.now() < warmUntil; i++) await op();
}

/** Runs, CPU milliseconds and wall milliseconds summed over the slices an operation ran in. */
interface Tally {
  runs: number;
  cpu: number;
  wall: number;
}

const tally = (): Tally => ({ runs: 0, cpu: 0, wall: 0 });

/** Run `op` back to back for at least `ms` (and at least once), adding what it took to `into`. */
async function runFor(op: () => Promise<unknown>, ms: number, into: Tally): Promise<void> {
  const start = performance.now();
  const before = process.cpuUsage();
  let runs = 0;
  do {
    await op();
    runs++;
  } while (performance.now() - start < ms);
  const used = process.cpuUsage(before);
  into.runs += runs;
  into.cpu += (used.user + used.system) / 1000;
  into.wall += performance.now() - start;
}

const rateOf = (name: string, t: Tally): Rate => ({
  name,
  perSecond: (t.runs * 1000) / t.wall,
  ms: t.wall / t.runs,
  cpuMs: t.cpu / t.runs,
  runs: t.runs,
});

export async function measure(name: string, op: () => Promise<unknown>, seconds = 2): Promise<Rate> {
  await warmUp(op, seconds);
  const t = tally();
  await runFor(op, seconds * 1000, t);
  return rateOf(name, t);
}

/** Raw operations an operation contains: each `op` (one raw call) `count` times. */
export type RawMix = readonly { readonly op: () => Promise<unknown>; readonly count: number }[];

/** What the raw operations inside one operation cost, timed in the same minutes as it. */
export interface RawCost {
  readonly cpuMs: number;
  readonly ms: number;
}

/**
 * The raw mix, timed in short slices between the slices of the operation it is compared with. The
 * lab's machine changes speed by 10-50 % from one minute to the next: a raw figure timed at the
 * start of the bench and a protocol figure timed a minute later gave that operation's ratio to its
 * raw crypto as 2.7x in one run and 4.8x in the next (2026-12-08), with the same code. Timed side
 * by side, both see the same machine.
 */
export class RawBeside {
  private readonly tallies: Tally[];

  constructor(private readonly mix: RawMix) {
    this.tallies = mix.map(tally);
  }

  /** Run each raw operation for its share of `ms`. */
  async sample(ms: number): Promise<void> {
    for (let i = 0; i < this.mix.length; i++)
      await runFor(this.mix[i].op, ms / this.mix.length, this.tallies[i]);
  }

  cost(): RawCost {
    let cpuMs = 0;
    let ms = 0;
    this.mix.forEach(({ count }, i) => {
      cpuMs += (count * this.tallies[i].cpu) / this.tallies[i].runs;
      ms += (count * this.tallies[i].wall) / this.tallies[i].runs;
    });
    return { cpuMs, ms };
  }
}

/** One slice of the operation, then the raw mix for half as long, over and over. */
const SLICE_MS = 100;

/**
 * `measure`, with the raw mix inside the operation timed beside it (`RawBeside`): the operation
 * runs for `seconds` in all, the raw mix for half that.
 */
export async function measureBeside(
  name: string,
  op: () => Promise<unknown>,
  mix: RawMix,
  seconds = 2,
): Promise<{ rate: Rate; raw: RawCost }> {
  await warmUp(op, seconds);
  const raw = new RawBeside(mix);
  const t = tally();
  while (t.wall < seconds * 1000) {
    await runFor(op, SLICE_MS, t);
    await raw.sample(SLICE_MS / 2);
  }
  return { rate: rateOf(name, t), raw: raw.cost() };
}

/**
 * Each of `ops` once, in order, timed together after `prepare` (untimed) before each: for work
 * that is only itself the first time, such as verifying certificates the process has never seen.
 * The first `warmUp` ops are not timed: they run `rounds` times each, with `prepare` before every
 * run, so that the JIT has compiled the path before the timed ops see their inputs once. With
 * `beside`, its raw mix is sampled between the timed ops (`RawBeside`).
 */
export async function measureEach(
  name: string,
  ops: readonly (() => Promise<unknown>)[],
  prepare: () => void,
  warmUp: number,
  rounds = 1,
  beside?: RawBeside,
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
  for (const [i, op] of timed.entries()) {
    prepare();
    const start = performance.now();
    const before = process.cpuUsage();
    await op();
    const used = process.cpuUsage(before);
    wall += performance.now() - start;
    cpu += (used.user + used.system) / 1000;
    // Every few runs, the raw mix for about as long as they took.
    if (beside && i % BESIDE_EVERY === BESIDE_EVERY - 1) await beside.sample((wall / (i + 1)) * BESIDE_EVERY);
  }
  return {
    name,
    perSecond: (timed.length * 1000) / wall,
    ms: wall / timed.length,
    cpuMs: cpu / timed.length,
    runs: timed.length,
  };
}

/** `measureEach` samples its raw mix after every this many timed ops. */
const BESIDE_EVERY = 10;
