/**
 * Crash and restart of one lab party, for crash-safety runs (docs/faults.md): `killParty` is a
 * `kill -9` (no shutdown hook runs, nothing is flushed by the process), `restartParty` starts the
 * party again from `lab.json`: the same script and arguments, on the SAME port (the other parties
 * keep its URL), with the lab's environment (fault switches allowed, as `set-lab up` starts them;
 * a fresh process has no fault plan), and records the new pid.
 */
import * as path from "node:path";
import { isAlive, LabFailure, type LabState, readState, writeState } from "../labState";
import { type PartyName, partyScripts } from "../paths";
import { spawnParty } from "../processes";

const parties: readonly PartyName[] = ["gateway", "merchant", "phone"];

function partyOf(state: LabState, party: string) {
  if (!parties.includes(party as PartyName))
    throw new LabFailure(`unknown party "${party}" (one of ${parties.join(", ")})`);
  return state.parties[party as PartyName];
}

/** SIGKILL the party's process and wait until it is gone. A party already gone is fine. */
export async function killParty(home: string, party: PartyName, timeoutMs = 10_000): Promise<number> {
  const state = readState(path.resolve(home));
  const { pid } = partyOf(state, party);
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return pid;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new LabFailure(`${party} (pid ${pid}) is still alive after SIGKILL`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return pid;
}

/**
 * The recorded argv with `--port N` set to the port the party listened on, and `--admin-port N`
 * to its admin listener's port when it has one.
 */
export function argvOnSamePort(argv: readonly string[], url: string, adminUrl?: string): string[] {
  const out = [...argv];
  const pin = (flag: string, at: string) => {
    const port = new URL(at).port;
    if (!port) throw new LabFailure(`cannot tell the port of ${at}`);
    const i = out.indexOf(flag);
    if (i >= 0 && i + 1 < out.length) out[i + 1] = port;
    else out.push(flag, port);
  };
  pin("--port", url);
  if (adminUrl !== undefined) pin("--admin-port", adminUrl);
  return out;
}

/**
 * Start the party again (it must not be running). Resolves once it announced `listening` on its
 * old URL; `lab.json` then names the new pid.
 */
export async function restartParty(
  home: string,
  party: PartyName,
  env: NodeJS.ProcessEnv = {},
): Promise<LabState> {
  const dir = path.resolve(home);
  const state = readState(dir);
  const current = partyOf(state, party);
  if (isAlive(current.pid))
    throw new LabFailure(`${party} (pid ${current.pid}) is still running: kill or stop it first`);
  if (!current.argv)
    throw new LabFailure(`lab.json does not record how ${party} was started (start the lab again)`);
  const argv = argvOnSamePort(current.argv, current.url, current.adminUrl);
  const started = await spawnParty(
    party,
    partyScripts[party],
    argv,
    { out: path.join(dir, "logs", `${party}.out`), log: current.log },
    { ...process.env, SETLAB_ALLOW_FAULTS: "1", ...env },
  );
  if (new URL(started.url).port !== new URL(current.url).port)
    throw new LabFailure(`${party} came back on ${started.url}, not ${current.url}`);
  // Re-read: another command may have changed lab.json meanwhile; only this party's pid changes.
  const latest = readState(dir);
  const next: LabState = {
    ...latest,
    parties: { ...latest.parties, [party]: { ...latest.parties[party], pid: started.pid } },
  };
  writeState(dir, next);
  return next;
}
