import {
  type CpuProfile,
  formatProfileSummary,
  moduleOf,
  pidOfProfileFile,
  selfMicros,
  shortLocation,
  summarizeProfile,
} from "./profileSummary";

const frame = (functionName: string, url = "", lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

const asn1 = "file:///w/node_modules/.pnpm/asn1js@3.0.6/node_modules/asn1js/build/index.js";
const ours = "file:///w/packages/protocol/dist/asn1/der.js";

/**
 * root -> program, idle, gc, a (asn1js:201) -> b (ours:10) -> run (native), and c (asn1js:915).
 * Samples every 1000 us except one 3000 us gap, so time, not the sample count, must decide.
 */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 3, 4, 5, 8] },
    { id: 2, callFrame: frame("(program)") },
    { id: 3, callFrame: frame("(idle)") },
    { id: 4, callFrame: frame("(garbage collector)") },
    { id: 5, callFrame: frame("LocalBaseBlock", asn1, 200), children: [6] },
    { id: 6, callFrame: frame("decode", ours, 9), children: [7] },
    { id: 7, callFrame: frame("run") },
    { id: 8, callFrame: frame("", asn1, 914) },
  ],
  startTime: 0,
  endTime: 10_000,
  // at:        1000 2000 3000 4000 7000 8000 9000 10000
  samples: [5, 5, 6, 3, 7, 8, 4, 2],
  timeDeltas: [1000, 1000, 1000, 1000, 3000, 1000, 1000, 1000],
};

describe("selfMicros", () => {
  it("gives each sample the time until the next one, the last one the time to the end", () => {
    const self = selfMicros(profile);
    expect(Object.fromEntries(self)).toEqual({ 5: 2000, 6: 1000, 3: 3000, 7: 1000, 8: 1000, 4: 1000, 2: 0 });
  });

  it("falls back to hitCount times the mean interval without sample timestamps", () => {
    const counted: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame("(root)"), hitCount: 0, children: [2, 3] },
        { id: 2, callFrame: frame("a", ours), hitCount: 3 },
        { id: 3, callFrame: frame("b", ours), hitCount: 1 },
      ],
      startTime: 0,
      endTime: 8000,
    };
    expect(Object.fromEntries(selfMicros(counted))).toEqual({ 2: 6000, 3: 2000 });
  });
});

describe("summarizeProfile", () => {
  const s = summarizeProfile(profile, 3);

  it("splits idle from busy time", () => {
    expect(s.totalMs).toBe(10);
    expect(s.idleMs).toBe(3);
    expect(s.busyMs).toBe(6);
  });

  it("ranks functions by self time, names the anonymous and a native function's caller", () => {
    expect(s.top).toEqual([
      { name: "LocalBaseBlock", location: "asn1js/build/index.js:201", ms: 2, share: 2 / 6 },
      { name: "decode", location: "protocol/dist/asn1/der.js:10", ms: 1, share: 1 / 6 },
      { name: "run", location: "native <- decode protocol/dist/asn1/der.js:10", ms: 1, share: 1 / 6 },
    ]);
    const all = summarizeProfile(profile, 100).top;
    expect(all.map((f) => f.name)).toContain("(anonymous)");
    expect(all.find((f) => f.name === "(garbage collector)")?.location).toBe("");
    expect(all.some((f) => f.name === "(idle)")).toBe(false);
  });

  it("sums self time per module", () => {
    expect(summarizeProfile(profile, 100).modules).toEqual([
      { module: "asn1js", ms: 3, share: 0.5 },
      { module: "(V8 and native)", ms: 2, share: 2 / 6 },
      { module: "@setlab/protocol/asn1", ms: 1, share: 1 / 6 },
    ]);
  });

  it("merges the nodes of one function reached by different paths", () => {
    const twice: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame("(root)"), children: [2, 3] },
        { id: 2, callFrame: frame("caller", ours, 1), children: [4] },
        { id: 3, callFrame: frame("other", ours, 2), children: [5] },
        { id: 4, callFrame: frame("LocalBaseBlock", asn1, 200) },
        { id: 5, callFrame: frame("LocalBaseBlock", asn1, 200) },
      ],
      startTime: 0,
      endTime: 2000,
      samples: [4, 5],
      timeDeltas: [0, 1000],
    };
    expect(summarizeProfile(twice).top).toEqual([
      { name: "LocalBaseBlock", location: "asn1js/build/index.js:201", ms: 2, share: 1 },
    ]);
  });

  it("prints a table with the busy time, the functions and the modules", () => {
    const text = formatProfileSummary("gateway", s);
    expect(text).toMatch(/^gateway: 6 ms busy of 10 ms profiled \(idle 3 ms\)/);
    expect(text).toContain("LocalBaseBlock");
    expect(text).toContain("by module:");
    expect(text).toMatch(/50\.0%\s+asn1js/);
  });
});

describe("moduleOf and shortLocation", () => {
  it("names npm packages, scoped ones, Node's internals and our packages", () => {
    expect(moduleOf(asn1)).toBe("asn1js");
    expect(moduleOf("file:///w/node_modules/.pnpm/x/node_modules/@peculiar/webcrypto/build/a.js")).toBe(
      "@peculiar/webcrypto",
    );
    expect(moduleOf("node:internal/crypto/util")).toBe("node:internal/crypto");
    expect(moduleOf("node:internal/timers")).toBe("node:internal");
    expect(moduleOf("node:fs")).toBe("node:fs");
    expect(moduleOf(ours)).toBe("@setlab/protocol/asn1");
    expect(moduleOf("file:///w/packages/lab/dist/cli.js")).toBe("@setlab/lab");
    expect(moduleOf("")).toBe("(V8 and native)");
    expect(moduleOf("/elsewhere/script.js")).toBe("/elsewhere/script.js");
  });

  it("keeps the path from the package on, with a 1-based line", () => {
    expect(shortLocation(asn1, 0)).toBe("asn1js/build/index.js:1");
    expect(shortLocation(ours, 41)).toBe("protocol/dist/asn1/der.js:42");
    expect(shortLocation("node:fs", 9)).toBe("node:fs:10");
    expect(shortLocation("", 3)).toBe("");
  });
});

describe("pidOfProfileFile", () => {
  it("reads the pid out of --cpu-prof's file name and nothing else", () => {
    expect(pidOfProfileFile("CPU.20240102.030405.12345.0.001.cpuprofile")).toBe(12345);
    expect(pidOfProfileFile("CPU.20240102.030405.12345.0.001.cpuprofile.tmp")).toBeUndefined();
    expect(pidOfProfileFile("Heap.20240102.030405.12345.0.001.heapprofile")).toBeUndefined();
  });
});
