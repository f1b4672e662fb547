/**
 * `set-lab down`: stop every party the state file names and forget them, and the card-link bond
 * the PC kept for the lab's phone in the Linux keyring (the phone's own copy stays in its data
 * directory until it expires or is revoked with `set-phone unbond`).
 */
import * as path from "node:path";
import { hasKeyctl, KeyringBondKeeper } from "@setlab/runtime/client";
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
  const phone = new URL(state.parties.phone.url);
  if (hasKeyctl() && (await new KeyringBondKeeper().remove(`${phone.hostname}:${phone.port}`)))
    log("forgot the card-link bond kept in the keyring");
  removeState(dir);
}
