/**
 * Revocation in a running lab: the CA revokes a card and publishes (`set-ca revoke`, `set-ca crl`,
 * `set-ca bci`) while gateway, merchant and phone run; once merchant and gateway have read the new
 * BCI (their logs say so), the next purchase with that card is refused, nothing restarted, and the
 * card remembers the new BCI's sequence number from the PInitRes that carried it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readLabPkiManifest } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import { readStoredCardState } from "@setlab/wallet-card";
import { down } from "./commands/down";
import { purchase } from "./commands/purchase";
import { up } from "./commands/up";
import { purchAmtOf } from "./currency";
import type { LabState } from "./labState";
import { partyScripts } from "./paths";

let home: string;
let state: LabState;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-revocation-e2e-"));
  seedLabPki(path.join(home, "pki"));
  state = await up({ home });
}, 120_000);

afterAll(async () => {
  if (state) await down(home).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
});

const ca = (...args: string[]) =>
  execFileSync(process.execPath, [partyScripts.ca, ...args, "--dir", state.pki], { encoding: "utf8" });

/** The newest Visa BCI sequenceNum a party's log says is in force. */
function visaInForce(party: "merchant" | "gateway"): number | undefined {
  let text = "";
  try {
    text = fs.readFileSync(path.join(home, "logs", `${party}.log`), "utf8");
  } catch {
    return undefined;
  }
  let found: number | undefined;
  for (const line of text.split("\n")) {
    if (!line.includes('"revocationLoaded"')) continue;
    try {
      found = (JSON.parse(line) as { bciSequence?: Record<string, number> }).bciSequence?.Visa ?? found;
    } catch {
      // a line cut at the end of the file: read again on the next look
    }
  }
  return found;
}

/** Wait for both parties to report `sequenceNum` in force (the poll interval is 5 s). */
async function inForce(sequenceNum: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (visaInForce("merchant") !== sequenceNum || visaInForce("gateway") !== sequenceNum) {
    if (Date.now() > deadline)
      throw new Error(
        `merchant has #${visaInForce("merchant")}, gateway #${visaInForce("gateway")}; expected #${sequenceNum}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

const cardState = () => readStoredCardState(state.phoneData, "visa-approve");

it("a card revoked while the lab runs is refused at its next purchase, no restart", async () => {
  const first = readLabPkiManifest(state.pki)
    .bcis.filter((b) => b.brand === "Visa")
    .at(-1)!.sequenceNum;
  await inForce(first);
  const before = await purchase({ home, card: "visa-approve", purchAmt: purchAmtOf("1500", "JPY") });
  expect(before.mediator.outcome).toBe("approved");
  expect(cardState().bciSequence?.Visa).toBe(first);
  const pids = Object.values(state.parties).map((p) => p.pid);

  const serial = readLabPkiManifest(state.pki).certificates.find(
    (c) => c.id === "visa/cards/visa-approve",
  )!.serial;
  ca("revoke", "--serial", serial, "--reason", "keyCompromise");
  ca("crl", "--ca", "visa/cca");
  ca("bci", "--brand", "Visa");
  const next = readLabPkiManifest(state.pki)
    .bcis.filter((b) => b.brand === "Visa")
    .at(-1)!.sequenceNum;
  expect(next).toBeGreaterThan(first);
  await inForce(next);

  const after = await purchase({ home, card: "visa-approve", purchAmt: purchAmtOf("1500", "JPY") });
  expect(after.mediator.outcome).not.toBe("approved");
  expect(after.authorizations).toHaveLength(0);
  expect(after.order.state).not.toBe("authorized");
  expect(JSON.stringify(after.mediator)).toContain("revokedCertificate");
  // The PInitRes of that purchase carried the new BCI, and the card accepted it.
  expect(cardState().bciSequence?.Visa).toBe(next);
  // Another Visa card is still served under the new BCI.
  const other = await purchase({ home, card: "visa-nsf", purchAmt: purchAmtOf("1500", "JPY") });
  expect(other.order.state).toBe("declined");
  expect(Object.values(state.parties).map((p) => p.pid)).toEqual(pids);
}, 180_000);
