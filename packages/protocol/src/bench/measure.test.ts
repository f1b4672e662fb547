/**
 * The bench's timing helpers: a row's raw crypto is timed between the row's own slices, not before
 * or after them. (What the figures are is the bench's to show; no test here judges a time.)
 */
import { measureBeside, measureEach, RawBeside } from "./measure";

/** An async op that does a little work and notes each call in `log`. */
const noted = (log: string[], name: string) => async () => {
  log.push(name);
  let x = 0;
  for (let i = 0; i < 2000; i++) x += Math.sqrt(i);
  return x;
};

/** The order of the first call of each run of the same name: ["op", "raw", "op", ...]. */
const runsOf = (log: readonly string[]) => log.filter((name, i) => i === 0 || log[i - 1] !== name);

describe("measureBeside", () => {
  test("the raw mix runs between slices of the operation, not before or after them all", async () => {
    const log: string[] = [];
    const { rate, raw } = await measureBeside(
      "op",
      noted(log, "op"),
      [{ op: noted(log, "raw"), count: 3 }],
      0.35,
    );
    const timed = runsOf(log).slice(1); // after the warm-up, which runs the operation alone
    expect(timed.length).toBeGreaterThanOrEqual(4);
    expect(timed.slice(0, 4)).toEqual(["raw", "op", "raw", "op"]);
    expect(rate.runs).toBeGreaterThan(0);
    expect(raw.cpuMs).toBeGreaterThan(0);
    expect(raw.ms).toBeGreaterThan(0);
  });

  test("a mix of two operations runs each of them in every sample", async () => {
    const log: string[] = [];
    await measureBeside(
      "op",
      noted(log, "op"),
      [
        { op: noted(log, "a"), count: 1 },
        { op: noted(log, "b"), count: 2 },
      ],
      0.25,
    );
    const runs = runsOf(log);
    const firstA = runs.indexOf("a");
    expect(runs.slice(firstA, firstA + 3)).toEqual(["a", "b", "op"]);
  });
});

describe("RawBeside", () => {
  test("an operation counted zero times costs nothing; one counted once costs its time", async () => {
    const none = new RawBeside([{ op: async () => 0, count: 0 }]);
    await none.sample(5);
    expect(none.cost()).toEqual({ cpuMs: 0, ms: 0 });
    const once = new RawBeside([{ op: noted([], "x"), count: 1 }]);
    await once.sample(20);
    const { cpuMs, ms } = once.cost();
    expect(ms).toBeGreaterThan(0);
    expect(cpuMs).toBeGreaterThanOrEqual(0);
  });
});

describe("measureEach", () => {
  test("with a raw mix beside it, samples the mix between the timed ops", async () => {
    const log: string[] = [];
    const ops = Array.from({ length: 25 }, () => noted(log, "op"));
    const beside = new RawBeside([{ op: noted(log, "raw"), count: 1 }]);
    const rate = await measureEach("each", ops, () => {}, 5, 1, beside);
    expect(rate.runs).toBe(20);
    // 5 warm-up ops, then 10 timed, a sample, 10 timed, a sample
    expect(runsOf(log)).toEqual(["op", "raw", "op", "raw"]);
    expect(log.slice(0, 15).every((name) => name === "op")).toBe(true);
    expect(beside.cost().ms).toBeGreaterThan(0);
  });
});
