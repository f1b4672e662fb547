/**
 * What a local user sees of the lab's processes without any privilege: their PIDs in the lab's
 * state file, and /proc/PID (the command line every user may read, the memory figures the owner
 * may read).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type PartyName = "gateway" | "merchant" | "phone";

/** The PIDs of the lab's long-lived parties, from HOME/lab.json. */
export function labPids(home: string): Record<PartyName, number> {
  const lab = JSON.parse(fs.readFileSync(path.join(home, "lab.json"), "utf8")) as {
    parties: Record<PartyName, { pid: number }>;
  };
  return {
    gateway: lab.parties.gateway.pid,
    merchant: lab.parties.merchant.pid,
    phone: lab.parties.phone.pid,
  };
}

/** A process's command line as /proc shows it to everyone; undefined once it is gone. */
export function commandLineOf(pid: number): string[] | undefined {
  try {
    return fs
      .readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((a) => a.length > 0);
  } catch {
    return undefined;
  }
}

/** A process's peak resident memory so far, in bytes (VmHWM); undefined when it cannot be read. */
export function peakMemoryOf(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+([0-9]+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
