/**
 * `set-lab down` forgets the card-link bond the PC kept for the lab's phone in the kernel keyring
 * (the real keyring, through keyctl: `npm run setup` installs it), and only that one. The lab's
 * processes here are ones that already ended, so down has nothing else to do.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KeyringBondKeeper } from "@setlab/runtime";
import { type LabState, writeState } from "../labState";
import { down } from "./down";

const ended = spawnSync(process.execPath, ["-e", ""]).pid;

function labOf(home: string, phonePort: number): LabState {
  const party = (url: string) => ({ url, pid: ended, log: path.join(home, "x.log") });
  return {
    format: "setlab-lab/1",
    started: new Date().toISOString(),
    pki: path.join(home, "pki"),
    phoneData: path.join(home, "phone"),
    pin: "1234",
    parties: {
      gateway: party("http://127.0.0.1:1"),
      merchant: party("http://127.0.0.1:2"),
      phone: party(`tcp://127.0.0.1:${phonePort}`),
    },
  } as LabState;
}

const bond = () => ({ bondId: new Uint8Array(randomBytes(16)), linkKey: new Uint8Array(randomBytes(32)) });

test("down removes the lab phone's kept bond from the keyring, and no other", async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-down-"));
  // ports no lab of this run listens on, so no other test's bond is touched
  const port = 60_000 + (process.pid % 5_000);
  const keeper = new KeyringBondKeeper();
  const other = `127.0.0.1:${port + 1}`;
  try {
    await keeper.save(`127.0.0.1:${port}`, bond());
    await keeper.save(other, bond());
    writeState(home, labOf(home, port));
    const said: string[] = [];
    await down(home, (line) => said.push(line));
    expect(said).toContain("forgot the card-link bond kept in the keyring");
    expect(await keeper.load(`127.0.0.1:${port}`)).toBeUndefined();
    expect(await keeper.load(other)).toBeDefined();
    expect(fs.existsSync(path.join(home, "lab.json"))).toBe(false);

    // a lab whose phone has no kept bond: nothing said about the keyring
    writeState(home, labOf(home, port));
    const again: string[] = [];
    await down(home, (line) => again.push(line));
    expect(again.filter((l) => l.includes("keyring"))).toEqual([]);
  } finally {
    await keeper.remove(`127.0.0.1:${port}`);
    await keeper.remove(other);
    fs.rmSync(home, { recursive: true, force: true });
  }
});
