import { UsageError } from "@setlab/runtime";
import { parseBenchOptions } from "./options";

describe("parseBenchOptions", () => {
  it("has the documented defaults", () => {
    const o = parseBenchOptions([], {});
    expect(o).toMatchObject({
      microSeconds: 2,
      cryptoSeconds: 1,
      purchases: 1000,
      concurrency: 8,
      warmup: 3000,
      offeredRate: 50,
      offeredSeconds: 10,
      maxInFlight: 200,
      cliRuns: 5,
      attackRate: 10,
      attackSeconds: 20,
    });
    expect(o.seconds).toBeUndefined();
    expect(o.json).toBeUndefined();
    expect(o.profile).toBeUndefined();
    expect(o.skip.size).toBe(0);
  });

  it("reads the BENCH_* variables; BENCH_SECONDS replaces the count", () => {
    const o = parseBenchOptions([], {
      BENCH_PURCHASES: "100000",
      BENCH_CONCURRENCY: "4",
      BENCH_CRYPTO_SECONDS: "0.5",
      BENCH_MICRO_SECONDS: "1",
      BENCH_OFFERED_RATE: "20",
      BENCH_OFFERED_SECONDS: "3",
      BENCH_MAX_IN_FLIGHT: "64",
      BENCH_CLI_RUNS: "2",
      BENCH_WARMUP: "0",
      BENCH_ATTACK_RATE: "5",
      BENCH_ATTACK_SECONDS: "4",
    });
    expect(o).toMatchObject({
      purchases: 100000,
      concurrency: 4,
      warmup: 0,
      cryptoSeconds: 0.5,
      microSeconds: 1,
      offeredRate: 20,
      offeredSeconds: 3,
      maxInFlight: 64,
      cliRuns: 2,
      attackRate: 5,
      attackSeconds: 4,
    });
    const timed = parseBenchOptions([], { BENCH_SECONDS: "60", BENCH_PURCHASES: "5" });
    expect(timed.seconds).toBe(60);
    expect(timed.purchases).toBeUndefined();
    expect(parseBenchOptions([], { BENCH_WARMUP: "32" }).warmup).toBe(32);
  });

  it("lets a flag win over its variable", () => {
    const o = parseBenchOptions(
      [
        "--rate",
        "80",
        "--offered-seconds",
        "2.5",
        "--cli-runs",
        "7",
        "--json",
        "out.json",
        "--profile",
        "prof",
      ],
      { BENCH_OFFERED_RATE: "20", BENCH_OFFERED_SECONDS: "3", BENCH_CLI_RUNS: "2" },
    );
    expect(o).toMatchObject({
      offeredRate: 80,
      offeredSeconds: 2.5,
      cliRuns: 7,
      json: "out.json",
      profile: "prof",
    });
  });

  it("takes a list of parts to skip", () => {
    expect([...parseBenchOptions(["--skip", "micro, cli"], {}).skip].sort()).toEqual(["cli", "micro"]);
  });

  it.each([
    [["--skip", "load,everything"], {}, /--skip takes/],
    [["--rate", "0"], {}, /--rate must be a positive number/],
    [["--cli-runs", "1.5"], {}, /--cli-runs must be a positive integer/],
    [["--json", ""], {}, /--json needs a path/],
    [["--unknown"], {}, /Unknown option/],
    [["extra"], {}, /positional/],
    [[], { BENCH_PURCHASES: "ten" }, /BENCH_PURCHASES must be a positive integer, not "ten"/],
    [[], { BENCH_CONCURRENCY: "0" }, /BENCH_CONCURRENCY/],
    [[], { BENCH_SECONDS: "-1" }, /BENCH_SECONDS/],
    [[], { BENCH_WARMUP: "-1" }, /BENCH_WARMUP must be a non-negative integer/],
    [[], { BENCH_OFFERED_RATE: "Infinity" }, /BENCH_OFFERED_RATE/],
  ])("refuses %j %j", (argv, env, message) => {
    expect(() => parseBenchOptions(argv, env)).toThrow(UsageError);
    expect(() => parseBenchOptions(argv, env)).toThrow(message);
  });
});

describe("parseBenchOptions: one part alone, capture batches", () => {
  it("--only runs the parts named and skips every other", () => {
    const o = parseBenchOptions(["--only", "capture"], {});
    expect([...o.skip].sort()).toEqual(["cli", "load", "micro", "offered", "underAttack"]);
  });

  it("--only with --skip, an empty --only or an unknown part is a usage error", () => {
    expect(() => parseBenchOptions(["--only", "capture", "--skip", "micro"], {})).toThrow(
      /do not go together/,
    );
    expect(() => parseBenchOptions(["--only", ","], {})).toThrow(/needs a part/);
    expect(() => parseBenchOptions(["--only", "captures"], {})).toThrow(/--only takes/);
  });

  it("captures in batches of 1, 100 and 1000 unless BENCH_CAPTURE_BATCHES says otherwise", () => {
    expect(parseBenchOptions([], {}).captureBatches).toEqual([1, 100, 1000]);
    expect(parseBenchOptions([], { BENCH_CAPTURE_BATCHES: "5, 300" }).captureBatches).toEqual([5, 300]);
    for (const bad of ["0", "1,x", "1.5", "200000"])
      expect(() => parseBenchOptions([], { BENCH_CAPTURE_BATCHES: bad })).toThrow(/BENCH_CAPTURE_BATCHES/);
  });
});
