/**
 * Nothing secret in any log of the lab home: no test card's PAN or PANSecret, no private key.
 * Reads every file under HOME/logs and reports what it found (never the secret itself).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LabPki } from "@setlab/runtime";

export function secretsInLogs(home: string, pkiDir: string): string[] {
  const cards = LabPki.open(pkiDir).cards();
  const needles: { what: string; text: string }[] = [];
  for (const [id, c] of Object.entries(cards)) {
    needles.push({ what: `PAN of ${id}`, text: c.pan });
    needles.push({ what: `PANSecret of ${id}`, text: c.panSecret.toLowerCase() });
    needles.push({ what: `PANSecret of ${id}`, text: Buffer.from(c.panSecret, "hex").toString("base64") });
  }
  needles.push({ what: "a private key", text: "PRIVATE KEY" });
  const dir = path.join(home, "logs");
  const found: string[] = [];
  if (!fs.existsSync(dir)) return found;
  for (const name of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, name), "utf8");
    const lowered = text.toLowerCase();
    for (const n of needles)
      if (n.text.length >= 8 && (text.includes(n.text) || lowered.includes(n.text.toLowerCase())))
        found.push(`${n.what} in logs/${name}`);
  }
  return [...new Set(found)];
}
