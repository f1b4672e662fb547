import { cpuMs, memory, parseStat, parseStatus } from "./procStats";

// A real /proc/<pid>/stat line, its command name made awkward: spaces and a ")" inside.
const stat =
  "4242 (node (x) y) S 1 4242 4242 0 -1 4194304 9500 0 0 0 1234 567 0 0 20 0 11 0 123456 1150000000 30000 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0";

describe("/proc parsing", () => {
  it("reads utime and stime (fields 14 and 15) after the command name", () => {
    expect(parseStat(stat)).toEqual({ utime: 1234, stime: 567 });
  });

  it("refuses a line without a command name or with non-numeric times", () => {
    expect(() => parseStat("4242 node S 1 2 3")).toThrow(/no command name/);
    expect(() => parseStat("4242 (node) S 1 2")).toThrow(/tick counts/);
  });

  it("reads VmRSS and VmHWM in bytes", () => {
    const status = "Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t   2048 kB\nVmRSS:\t   1024 kB\nThreads:\t11\n";
    expect(parseStatus(status)).toEqual({ rss: 1024 * 1024, hwm: 2048 * 1024 });
  });

  it("refuses a status text without VmRSS", () => {
    expect(() => parseStatus("Name:\tnode\nVmHWM:\t 2048 kB\n")).toThrow(/no VmRSS/);
  });

  it("reads a live process and refuses one that is gone", () => {
    expect(Number.isFinite(cpuMs(process.pid))).toBe(true);
    const m = memory(process.pid);
    expect(m.rss).toBeGreaterThan(0);
    expect(m.hwm).toBeGreaterThanOrEqual(m.rss);
    expect(() => cpuMs(2 ** 30)).toThrow(/ENOENT/);
  });
});
