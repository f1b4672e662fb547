/** The `.cpuprofile` files of a `--cpu-prof-dir`, read and summarized per process (named by pid). */
import * as fs from "node:fs";
import * as path from "node:path";
import { type CpuProfile, type ProfileSummary, pidOfProfileFile, summarizeProfile } from "./profileSummary";

export interface PartyProfile {
  /** The party's name, or `pid N` for a process the caller did not name. */
  readonly party: string;
  readonly pid: number;
  readonly file: string;
  readonly summary: ProfileSummary;
}

/**
 * Summaries of the profiles in `dir`, those of named pids first in the order given; a process that
 * wrote several profiles (worker threads) gets one entry per file.
 */
export function summarizeProfileDir(
  dir: string,
  names: ReadonlyMap<number, string>,
  topN = 10,
  onlyNamed = false,
): PartyProfile[] {
  const found: PartyProfile[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    const pid = pidOfProfileFile(file);
    if (pid === undefined) continue;
    const party = names.get(pid);
    if (onlyNamed && party === undefined) continue;
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as CpuProfile;
    found.push({ party: party ?? `pid ${pid}`, pid, file, summary: summarizeProfile(profile, topN) });
  }
  const order = [...names.keys()];
  const rank = (p: PartyProfile) => {
    const i = order.indexOf(p.pid);
    return i < 0 ? order.length : i;
  };
  return found.sort((a, b) => rank(a) - rank(b));
}
