import { parseServeArgs } from "./cli";

const base = ["--pki", "/tmp/pki", "--db", "/tmp/gw.db"];

describe("set-gateway serve arguments", () => {
  it("takes the hold lifetimes in hours, fractions allowed", () => {
    const args = parseServeArgs([...base, "--hold-hours", "2", "--partial-hold-hours", "0.5"]);
    expect(args.holdLifetimeMs).toBe(2 * 3600_000);
    expect(args.partialHoldLifetimeMs).toBe(1800_000);
  });

  it("leaves the lifetimes to the policy's defaults when not given", () => {
    const args = parseServeArgs(base);
    expect(args.holdLifetimeMs).toBeUndefined();
    expect(args.partialHoldLifetimeMs).toBeUndefined();
  });

  it.each(["0", "-1", "x", "1e3", ""])("refuses --hold-hours %j", (value) => {
    expect(() => parseServeArgs([...base, "--hold-hours", value])).toThrow(/--hold-hours/);
  });
});
