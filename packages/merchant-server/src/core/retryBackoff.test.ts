import { RetryBackoff } from "./retryBackoff";

describe("RetryBackoff", () => {
  it("waits twice as long after each failure in a row, up to its bound, and forgets a success", () => {
    const b = new RetryBackoff(1000, 5000);
    expect(b.due("r", 0)).toBe(true);
    expect(b.failed("r", 0)).toBe(1);
    expect(b.due("r", 999)).toBe(false);
    expect(b.due("r", 1000)).toBe(true);
    expect(b.failed("r", 1000)).toBe(2);
    expect(b.due("r", 2999)).toBe(false);
    expect(b.due("r", 3000)).toBe(true);
    b.failed("r", 3000); // 4000 ms
    expect(b.due("r", 6999)).toBe(false);
    b.failed("r", 7000); // bounded at 5000 ms, not 8000
    expect(b.due("r", 12_000)).toBe(true);
    expect(b.due("other", 0)).toBe(true);
    b.succeeded("r");
    expect(b.due("r", 0)).toBe(true);
    expect(b.failed("r", 0)).toBe(1);
  });
});
