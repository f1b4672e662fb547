/** `set-lab status`: what runs, where, and whether it answers. */
import * as path from "node:path";
import { httpRequest } from "@setlab/runtime/client";
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
        healthy = await httpRequest(`${p.url.replace(/\/$/, "")}/health`, { timeoutMs: 2000 })
          .then((r) => r.status === 200)
          .catch(() => false);
      else healthy = alive;
      return { party, url: p.url, pid: p.pid, alive, healthy };
    }),
  );
}
