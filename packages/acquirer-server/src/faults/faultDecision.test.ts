import { decideFaults, type RandomSource, randomSourceFromEnv, seededRandom } from "./faultDecision";

/** A random source that returns the given draws in order (then 0.999...). */
const draws =
  (...values: number[]): RandomSource =>
  () =>
    values.length > 0 ? values.shift()! : 0.999999;

describe("fault decision per AuthReq", () => {
  it("an empty plan does nothing and draws nothing", () => {
    let calls = 0;
    expect(
      decideFaults({}, () => {
        calls++;
        return 0;
      }),
    ).toEqual({});
    expect(calls).toBe(0);
  });

  it("rate 1 always fires, rate 0 never", () => {
    const r = seededRandom(7);
    for (let i = 0; i < 50; i++) {
      expect(decideFaults({ dropRate: 1 }, r)).toEqual({ answer: "drop" });
      expect(decideFaults({ dropRate: 0, malformedRate: 0 }, r)).toEqual({});
    }
  });

  it("a delay defaults to every AuthReq and to the committed stage", () => {
    expect(decideFaults({ delayMs: 500 }, draws())).toEqual({ delay: { ms: 500, stage: "committed" } });
    expect(decideFaults({ delayMs: 500, stage: "received" }, draws())).toEqual({
      delay: { ms: 500, stage: "received" },
    });
    expect(decideFaults({ delayMs: 500, delayRate: 0.3 }, draws(0.5))).toEqual({});
    expect(decideFaults({ delayMs: 500, delayRate: 0.3 }, draws(0.2))).toEqual({
      delay: { ms: 500, stage: "committed" },
    });
  });

  it("a draw below the rate fires, at or above it does not", () => {
    expect(decideFaults({ malformedRate: 0.25 }, draws(0.24))).toEqual({ answer: "malformed" });
    expect(decideFaults({ malformedRate: 0.25 }, draws(0.25))).toEqual({});
    expect(decideFaults({ badSignatureRate: 0.25 }, draws(0.1))).toEqual({ answer: "badSignature" });
  });

  it("503 wins over everything and cancels the delay; then drop, malformed, bad signature", () => {
    const all = {
      http5xxRate: 1,
      delayMs: 10,
      dropRate: 1,
      malformedRate: 1,
      badSignatureRate: 1,
    };
    expect(decideFaults(all, draws(0, 0, 0, 0, 0))).toEqual({ answer: "http5xx" });
    expect(decideFaults({ ...all, http5xxRate: 0 }, draws(0, 0, 0, 0))).toEqual({
      delay: { ms: 10, stage: "committed" },
      answer: "drop",
    });
    expect(decideFaults({ ...all, http5xxRate: 0, dropRate: 0 }, draws(0, 0, 0))).toEqual({
      delay: { ms: 10, stage: "committed" },
      answer: "malformed",
    });
  });

  it("a seeded source replays the same sequence, and its rates hold roughly", () => {
    const plan = { dropRate: 0.1, malformedRate: 0.1 };
    const a = seededRandom(42);
    const b = seededRandom(42);
    const seqA = Array.from({ length: 2000 }, () => decideFaults(plan, a).answer ?? "-");
    const seqB = Array.from({ length: 2000 }, () => decideFaults(plan, b).answer ?? "-");
    expect(seqA).toEqual(seqB);
    const drops = seqA.filter((x) => x === "drop").length;
    expect(drops).toBeGreaterThan(120);
    expect(drops).toBeLessThan(280);
    expect(seqA).not.toEqual(Array.from({ length: 2000 }, () => decideFaults(plan, seededRandom(43)).answer));
  });

  it("SETLAB_FAULT_SEED picks the seeded source; garbage falls back to Math.random", () => {
    const r = randomSourceFromEnv({ SETLAB_FAULT_SEED: "42" });
    const s = seededRandom(42);
    expect([r(), r(), r()]).toEqual([s(), s(), s()]);
    expect(randomSourceFromEnv({ SETLAB_FAULT_SEED: "x" })).toBe(Math.random);
    expect(randomSourceFromEnv({})).toBe(Math.random);
  });
});
