/**
 * The lab's state file (`HOME/lab.json`): which parties `set-lab up` started, where they listen,
 * their PIDs, databases and log files. `status`, `purchase` and `down` read it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PartyName } from "./paths";

export interface PartyState {
  readonly url: string;
  readonly pid: number;
  readonly log: string;
  readonly db?: string;
  /** The party's command line after its script, so the lab can restart it on the same port. */
  readonly argv?: readonly string[];
}

export interface LabState {
  readonly format: "setlab-lab/1";
  readonly started: string;
  readonly pki: string;
  readonly phoneData: string;
  readonly pin: string;
  /**
   * The card link's pairing code: the phone runs the fixed-code test policy with it and every lab
   * purchase gives it to the mediator (docs/card-link.md). Absent from a state file written before
   * the secure link: `pairingCodeOf` refuses such a lab.
   */
  readonly pairingCode?: string;
  readonly parties: Record<PartyName, PartyState>;
}

/** A lab CLI failure: one line for the user, exit code 2. */
export class LabFailure extends Error {
  override readonly name = "LabFailure";
}

/** The running lab's card-link pairing code. */
export function pairingCodeOf(state: LabState): string {
  if (state.pairingCode === undefined || !/^[0-9]{6}$/.test(state.pairingCode))
    throw new LabFailure(
      "lab.json has no card-link pairing code: stop the lab and start it again (`pnpm lab up`)",
    );
  return state.pairingCode;
}

export const stateFile = (home: string) => path.join(home, "lab.json");

/** The phone's pairing code, mode 0600: `set-phone serve --pairing-code-file` reads it. */
export const pairingCodeFile = (home: string) => path.join(home, "phone-pairing-code");

export function readState(home: string): LabState {
  const file = stateFile(home);
  if (!fs.existsSync(file))
    throw new LabFailure(`no lab is running from ${home} (run \`pnpm lab up\` first)`);
  try {
    const s = JSON.parse(fs.readFileSync(file, "utf8")) as LabState;
    if (s.format !== "setlab-lab/1") throw new Error("format");
    return s;
  } catch {
    throw new LabFailure(`${file} is not a lab state file`);
  }
}

export function writeState(home: string, state: LabState): void {
  fs.mkdirSync(home, { recursive: true });
  const tmp = `${stateFile(home)}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, stateFile(home));
}

export function removeState(home: string): void {
  fs.rmSync(stateFile(home), { force: true });
  fs.rmSync(pairingCodeFile(home), { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
