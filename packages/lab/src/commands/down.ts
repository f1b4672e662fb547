/** `set-lab down`: stop every party the state file names and forget them. */
import * as path from "node:path";
import { readState, removeState } from "../labState";
import { stopProcess } from "../processes";

export async function down(home: string, log: (line: string) => void = () => {}): Promise<void> {
  const dir = path.resolve(home);
  const state = readState(dir);
  await Promise.all(
    Object.entries(state.parties).map(async ([name, p]) => {
      await stopProcess(p.pid);
      log(`stopped ${name} (pid ${p.pid})`);
    }),
  );
  removeState(dir);
}
