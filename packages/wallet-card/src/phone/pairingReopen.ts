/**
 * The owner reopens pairing: `set-phone pair --data DIR` leaves a request in the phone's data
 * directory, which only the phone's user can write (0700), and the running phone takes it at the
 * next HELLO: the pairing lockout ends. A stranger who keeps sending wrong codes can lock pairing
 * for a while, but it cannot keep the owner from reopening it, and every code it guessed at is
 * already gone: each wrong proof spent it (docs/card-link.md, "Threat analysis").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "./atomicFile";

const requestFile = (dataDir: string) => path.join(dataDir, "pairing-reopen");

/** Leave the request; the data directory must be the phone's (it holds its cards). */
export function requestPairingReopen(dataDir: string, now = new Date()): void {
  const stat = fs.statSync(dataDir, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) throw new Error(`${dataDir} is not a phone data directory`);
  writeFileAtomic(requestFile(dataDir), `${JSON.stringify({ requested: now.toISOString() })}\n`);
}

/**
 * True once per request: the request is taken (removed) as it is read. Costs a stat per HELLO and
 * nothing more unless the owner asked. A file the phone's user does not own is no request (it is
 * removed all the same): only a data directory others can write would let one in.
 */
export function pairingReopenRequested(dataDir: string): boolean {
  const file = requestFile(dataDir);
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat) return false;
  const owners = stat.isFile() && (process.getuid === undefined || stat.uid === process.getuid());
  try {
    fs.unlinkSync(file);
    return owners;
  } catch {
    return false;
  }
}
