/**
 * A process's CPU time and memory as Linux reports them: `/proc/<pid>/stat` (utime and stime in
 * clock ticks) and `/proc/<pid>/status` (VmRSS, VmHWM in kB). Parsing is pure; reading is a thin shell.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

export interface CpuTicks {
  readonly utime: number;
  readonly stime: number;
}

/**
 * utime and stime from one `/proc/<pid>/stat` line. The command name (field 2) is in parentheses
 * and may itself hold spaces and parentheses, so fields are counted from the last ")".
 */
export function parseStat(line: string): CpuTicks {
  const close = line.lastIndexOf(")");
  if (close < 0) throw new Error("not a /proc/<pid>/stat line: no command name");
  // After ")": field 3 (state) is index 0, so field N is index N - 3.
  const fields = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime) || utime < 0 || stime < 0)
    throw new Error("not a /proc/<pid>/stat line: utime/stime are not tick counts");
  return { utime, stime };
}

export interface Memory {
  /** Resident set size now, bytes. */
  readonly rss: number;
  /** Peak resident set size ("high water mark"), bytes. */
  readonly hwm: number;
}

/** VmRSS and VmHWM from `/proc/<pid>/status`, in bytes. */
export function parseStatus(text: string): Memory {
  const kb = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, "m").exec(text);
    if (!m) throw new Error(`not a /proc/<pid>/status text: no ${name}`);
    return Number(m[1]) * 1024;
  };
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK` (100 on Linux almost everywhere). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    let n = 100;
    try {
      const out = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
      if (Number.isInteger(out) && out > 0) n = out;
    } catch {
      // getconf missing: Linux's USER_HZ is 100.
    }
    ticksPerSecond = n;
  }
  return ticksPerSecond;
}

/** CPU milliseconds (user + system) the process has used so far. */
export function cpuMs(pid: number): number {
  const t = parseStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  return ((t.utime + t.stime) * 1000) / clockTicksPerSecond();
}

export function memory(pid: number): Memory {
  return parseStatus(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
}
