/**
 * The lab's state file (`HOME/lab.json`): which parties `set-lab up` started, where they listen,
 * their PIDs, databases and log files. `status`, `purchase` and `down` read it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type AdminAccess,
  AdminTokenError,
  readAdminTokenFile,
  readOwnerOnlyFile,
} from "@setlab/runtime/client";
import type { PartyName } from "./paths";

export interface PartyState {
  readonly url: string;
  /** The admin listener (order details, messages, authorizations, fault switches), if it has one. */
  readonly adminUrl?: string;
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
   * The owner-only file holding the card link's pairing code: the phone runs the fixed-code test
   * policy from it and renews it after a wrong code, so every lab purchase reads the code there
   * when it starts (docs/card-link.md). Absent from a state file written before: `pairingCodeOf`
   * refuses such a lab.
   */
  readonly pairingCodeFile?: string;
  /**
   * The 0600 file holding the bearer token of the merchant's and gateway's admin listeners. Absent
   * from a state file written before the admin listeners: `adminOf` refuses such a lab.
   */
  readonly adminTokenFile?: string;
  readonly parties: Record<PartyName, PartyState>;
}

/** A lab CLI failure: one line for the user, exit code 2. */
export class LabFailure extends Error {
  override readonly name = "LabFailure";
}

/** The running lab's card-link pairing code, as its file holds it now. */
export function pairingCodeOf(state: LabState): string {
  if (state.pairingCodeFile === undefined)
    throw new LabFailure(
      "lab.json names no card-link pairing code file: stop the lab and start it again (`pnpm lab up`)",
    );
  let code: string;
  try {
    code = readOwnerOnlyFile(state.pairingCodeFile, "pairing code");
  } catch (e) {
    throw new LabFailure((e as Error).message);
  }
  if (!/^[0-9]{6}$/.test(code)) throw new LabFailure(`${state.pairingCodeFile} does not hold 6 digits`);
  return code;
}

/** The admin listener of the lab's merchant or gateway, with the token to read it. */
export function adminOf(state: LabState, party: "merchant" | "gateway"): AdminAccess {
  const url = state.parties[party].adminUrl;
  if (url === undefined || state.adminTokenFile === undefined)
    throw new LabFailure(
      `lab.json names no admin listener for the ${party}: stop the lab and start it again (\`pnpm lab up\`)`,
    );
  try {
    return { url: url.replace(/\/+$/, ""), token: readAdminTokenFile(state.adminTokenFile) };
  } catch (e) {
    if (e instanceof AdminTokenError) throw new LabFailure(e.message);
    throw e;
  }
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
