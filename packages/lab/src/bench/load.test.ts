import { runLoad, type Sample } from "./load";
import { startMiddleEnd } from "./monitor";

const tick = () => new Promise((r) => setImmediate(r));

describe("runLoad", () => {
  it("runs exactly `count` purchases, never more than `concurrency` at once, samples in start order", async () => {
    let inFlight = 0;
    let most = 0;
    const samples = await runLoad({ count: 25, concurrency: 4 }, async (i): Promise<Sample> => {
      inFlight++;
      most = Math.max(most, inFlight);
      await tick();
      inFlight--;
      return { ms: i, outcome: "approved" };
    });
    expect(samples.map((s) => s.ms)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(most).toBe(4);
  });

  it("refuses a plan with neither a count nor seconds", async () => {
    await expect(runLoad({ concurrency: 1 }, async () => ({ ms: 0, outcome: "approved" }))).rejects.toThrow(
      /count or seconds/,
    );
  });
});

describe("startMiddleEnd", () => {
  it("picks the first, middle and last sample", () => {
    expect(startMiddleEnd([1, 2, 3, 4, 5])).toEqual([1, 3, 5]);
    expect(startMiddleEnd([9])).toEqual([9, 9, 9]);
    expect(startMiddleEnd([])).toBeUndefined();
  });
});
