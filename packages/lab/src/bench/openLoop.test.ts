import type { Sample } from "./load";
import { type Clock, runOpenLoop, schedule, summarizeOpenLoop } from "./openLoop";

/** A clock that only moves when told: sleeping jumps to the due time, purchases take `cost` ms. */
function fakeClock() {
  let t = 1000;
  const clock: Clock = {
    now: () => t,
    sleepUntil: async (at) => {
      if (at > t) t = at;
    },
  };
  return { clock, advance: (ms: number) => (t += ms) };
}

describe("schedule", () => {
  it("spaces rate x seconds arrivals evenly from 0", () => {
    expect(schedule({ rate: 4, seconds: 1 })).toEqual([0, 250, 500, 750]);
    expect(schedule({ rate: 50, seconds: 10 })).toHaveLength(500);
    expect(() => schedule({ rate: 0, seconds: 1 })).toThrow(RangeError);
  });
});

describe("runOpenLoop", () => {
  it("starts every arrival on its schedule, whatever the earlier ones are doing", async () => {
    const { clock } = fakeClock();
    const started: number[] = [];
    const release: (() => void)[] = [];
    const running = runOpenLoop(
      { rate: 10, seconds: 0.5, maxInFlight: 100 },
      () => {
        started.push(clock.now());
        return new Promise<Sample>((resolve) => release.push(() => resolve({ ms: 0, outcome: "approved" })));
      },
      clock,
    );
    await new Promise((r) => setImmediate(r));
    // None has finished, yet all five arrivals have started, 100 ms apart.
    expect(started).toEqual([1000, 1100, 1200, 1300, 1400]);
    for (const r of release) r();
    const arrivals = await running;
    expect(arrivals.map((a) => a.outcome)).toEqual(Array(5).fill("approved"));
  });

  it("measures latency from the scheduled arrival, so a late start counts against the system", async () => {
    const f = fakeClock();
    const arrivals = await runOpenLoop(
      { rate: 10, seconds: 0.2, maxInFlight: 100 },
      async (i) => {
        // the first purchase holds the loop up 250 ms (e.g. a blocked event loop), then takes 50 ms
        if (i === 0) f.advance(250);
        f.advance(50);
        return { ms: 50, outcome: "approved" };
      },
      f.clock,
    );
    expect(arrivals[0]).toMatchObject({ scheduledMs: 0, ms: 300, startLagMs: 0 });
    // scheduled at +100, started at +300 (the clock was already there): 200 late, 250 in all
    expect(arrivals[1]).toMatchObject({ scheduledMs: 100, ms: 250, startLagMs: 200 });
  });

  it("does not start arrivals over the in-flight limit and counts them as not started", async () => {
    const { clock } = fakeClock();
    const release: (() => void)[] = [];
    const running = runOpenLoop(
      { rate: 10, seconds: 0.5, maxInFlight: 2 },
      () => new Promise<Sample>((resolve) => release.push(() => resolve({ ms: 0, outcome: "approved" }))),
      clock,
    );
    await new Promise((r) => setImmediate(r));
    for (const r of release) r();
    const arrivals = await running;
    expect(arrivals.map((a) => a.outcome)).toEqual([
      "approved",
      "approved",
      "notStarted",
      "notStarted",
      "notStarted",
    ]);
    expect(arrivals[2].ms).toBeUndefined();
  });

  it("records a purchase that throws as an error", async () => {
    const arrivals = await runOpenLoop(
      { rate: 1, seconds: 1, maxInFlight: 1 },
      async () => {
        throw new Error("boom");
      },
      fakeClock().clock,
    );
    expect(arrivals).toEqual([expect.objectContaining({ outcome: "error", reason: "boom" })]);
  });
});

describe("summarizeOpenLoop", () => {
  const plan = { rate: 100, seconds: 1, maxInFlight: 10 };
  it("takes percentiles over every arrival, a failed or unstarted one counting as unbounded", () => {
    const ok = Array.from({ length: 98 }, (_, i) => ({
      scheduledMs: i * 10,
      ms: i + 1,
      outcome: "approved" as const,
    }));
    const s = summarizeOpenLoop(plan, [
      ...ok,
      { scheduledMs: 980, ms: 5, outcome: "declined" },
      { scheduledMs: 990, outcome: "notStarted" },
    ]);
    expect(s).toMatchObject({ arrivals: 100, approved: 98, failed: 1, notStarted: 1 });
    expect(s.failures).toEqual([{ what: "declined: ", count: 1 }]);
    expect(s.latency.p50).toBe(50);
    expect(s.latency.p90).toBe(90);
    expect(s.latency.p99).toBeNull();
    expect(s.latency.max).toBeNull();
    // 98 approved between the first arrival and the last end (970 + 98 ms)
    expect(s.approvedPerSecond).toBeCloseTo(98000 / 1068, 6);
  });

  it("has finite percentiles when every purchase was approved", () => {
    const s = summarizeOpenLoop(plan, [
      { scheduledMs: 0, ms: 10, outcome: "approved", startLagMs: 1 },
      { scheduledMs: 10, ms: 30, outcome: "approved", startLagMs: 4 },
    ]);
    expect(s.latency).toEqual({ p50: 10, p90: 30, p99: 30, max: 30 });
    expect(s.maxStartLagMs).toBe(4);
  });
});
