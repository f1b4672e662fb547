import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AttackTarget } from "../attack";
import { scanLogs, scanText } from "./logScan";
import { verdict } from "./verdict";

const cards = [
  { id: "visa-approve", pan: "4111110000000005", panSecret: "0cd02f528cb66be78f68f6ca6a1fa768ca5a4296" },
];

describe("log scanner", () => {
  it("finds a PAN, a PANSecret (hex either case, or base64) and a PEM private key, naming only the card", () => {
    const secretB64 = Buffer.from(cards[0].panSecret, "hex").toString("base64");
    expect(scanText(`{"msg":"pan 4111110000000005"}`, cards, "f")).toEqual([
      { file: "f", kind: "PAN", card: "visa-approve" },
    ]);
    expect(scanText(cards[0].panSecret.toUpperCase(), cards, "f")[0].kind).toBe("PANSecret");
    expect(scanText(`x ${secretB64} y`, cards, "f")[0].kind).toBe("PANSecret");
    expect(scanText("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA", cards, "f")[0].kind).toBe("private key");
  });

  it("finds nothing in a clean log (masked PAN, XIDs, certificates)", () => {
    const clean = `{"pan":"411111…0005","xid":"4111110000000015aa","cert":"-----BEGIN CERTIFICATE-----"}`;
    expect(scanText(clean, cards, "f")).toEqual([]);
  });

  it("scans every file under HOME/logs and makes a leak a failed outcome", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-logscan-"));
    const pki = path.join(home, "pki");
    try {
      fs.mkdirSync(path.join(home, "logs", "deep"), { recursive: true });
      fs.mkdirSync(path.join(pki, "attack"), { recursive: true });
      fs.writeFileSync(path.join(pki, "cards.json"), JSON.stringify({ "visa-approve": cards[0] }));
      fs.writeFileSync(
        path.join(pki, "attack", "cards.json"),
        JSON.stringify({ "visa-revoked": { pan: "4111110000000997", panSecret: "ab" } }),
      );
      fs.writeFileSync(path.join(home, "logs", "merchant.log"), '{"msg":"ok"}\n');
      const target = { home, pki } as AttackTarget;
      const clean = verdict(target, { refused: true, changed: [], detail: "refused" });
      expect(clean.refused).toBe(true);
      expect(clean.stateUnchanged).toBe(true);

      fs.writeFileSync(path.join(home, "logs", "deep", "phone.out"), "card 4111110000000997\n");
      expect(scanLogs(home, pki)).toEqual([
        { file: path.join("logs", "deep", "phone.out"), kind: "PAN", card: "visa-revoked" },
      ]);
      const leaked = verdict(target, {
        refused: true,
        changed: ["order created -> initiated"],
        detail: "refused",
      });
      expect(leaked.refused).toBe(false);
      expect(leaked.stateUnchanged).toBe(false);
      expect(leaked.detail).toMatch(/SECRET IN LOGS: PAN of visa-revoked in logs\/deep\/phone.out/);
      expect(leaked.detail).not.toMatch(/4111110000000997/);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
