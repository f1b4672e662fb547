/** `set-lab status`: what runs, where, and whether it answers. */
import * as path from "node:path";
import { isAlive, readState } from "../labState";

export interface PartyStatus {
  readonly party: string;
  readonly url: string;
  readonly pid: number;
  readonly alive: boolean;
  readonly healthy: boolean;
}

export async function status(home: string): Promise<PartyStatus[]> {
  const state = readState(path.resolve(home));
  return Promise.all(
    Object.entries(state.parties).map(async ([party, p]) => {
      const alive = isAlive(p.pid);
      let healthy = false;
      if (alive && p.url.startsWith("http"))
        healthy = await fetch(`${p.url.replace(/\/$/, "")}/health`, { signal: AbortSignal.timeout(2000) })
          .then((r) => r.ok)
          .catch(() => false);
      else healthy = alive;
      return { party, url: p.url, pid: p.pid, alive, healthy };
    }),
  );
}
