import { percentile, summarize } from "./percentile";

describe("percentile (nearest rank)", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted

  it("takes the nearest rank of the sorted samples", () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });

  it("does not reorder the caller's samples", () => {
    const s = [3, 1, 2];
    percentile(s, 50);
    expect(s).toEqual([3, 1, 2]);
  });

  it("is NaN without samples and refuses a percentile outside (0, 100]", () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it("summarizes a long soak's samples (more than a call takes arguments)", () => {
    const many = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    expect(summarize(many)).toMatchObject({ count: 300_000, max: 999, p50: 499 });
  });

  it("summarizes count, mean, p50, p99 and max", () => {
    expect(summarize([1, 2, 3, 4])).toEqual({ count: 4, mean: 2.5, p50: 2, p99: 4, max: 4 });
    expect(summarize([]).count).toBe(0);
  });
});
