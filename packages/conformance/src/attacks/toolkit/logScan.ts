/**
 * The lab's logs must never carry account data or keys. The scanner reads every file under
 * HOME/logs and looks for each test card's PAN and PANSecret (from the PKI's cards.json and
 * attack/cards.json) and for PEM private keys. A finding names the file and the kind of secret,
 * never the secret itself.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface LogFinding {
  readonly file: string;
  readonly kind: "PAN" | "PANSecret" | "private key";
  /** The card id whose data leaked (not the data). */
  readonly card?: string;
}

interface CardSecrets {
  readonly id: string;
  readonly pan: string;
  readonly panSecret: string;
}

function readCards(file: string): CardSecrets[] {
  if (!fs.existsSync(file)) return [];
  const cards = JSON.parse(fs.readFileSync(file, "utf8")) as Record<
    string,
    { pan?: string; panSecret?: string }
  >;
  return Object.entries(cards)
    .filter(([, c]) => typeof c.pan === "string")
    .map(([id, c]) => ({ id, pan: c.pan as string, panSecret: (c.panSecret ?? "").toLowerCase() }));
}

/** Every card whose data the logs must not show: cards.json and attack/cards.json of the PKI. */
export function labCards(pkiDir: string): CardSecrets[] {
  return [
    ...readCards(path.join(pkiDir, "cards.json")),
    ...readCards(path.join(pkiDir, "attack", "cards.json")),
  ];
}

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(full));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

/** Findings in `text` (one source). */
export function scanText(text: string, cards: readonly CardSecrets[], file: string): LogFinding[] {
  const found: LogFinding[] = [];
  const lower = text.toLowerCase();
  for (const c of cards) {
    if (text.includes(c.pan)) found.push({ file, kind: "PAN", card: c.id });
    if (c.panSecret.length > 0) {
      const b64 = Buffer.from(c.panSecret, "hex").toString("base64");
      if (lower.includes(c.panSecret) || text.includes(b64))
        found.push({ file, kind: "PANSecret", card: c.id });
    }
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) found.push({ file, kind: "private key" });
  return found;
}

/** Scan every file under HOME/logs. */
export function scanLogs(home: string, pkiDir: string): LogFinding[] {
  const cards = labCards(pkiDir);
  const found: LogFinding[] = [];
  for (const file of files(path.join(home, "logs")))
    found.push(...scanText(fs.readFileSync(file, "utf8"), cards, path.relative(home, file)));
  return found;
}

export function describeFindings(found: readonly LogFinding[]): string {
  return found.map((f) => `${f.kind}${f.card ? ` of ${f.card}` : ""} in ${f.file}`).join("; ");
}
