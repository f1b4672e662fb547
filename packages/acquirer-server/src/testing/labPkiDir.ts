/** Test-only: a lab PKI of the test's own in a temporary directory (a copy of the run's `set-ca init`). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { seedLabPki } from "@setlab/runtime/testing";

export function makeLabPkiDir(): { dir: string; pkiDir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-gateway-"));
  const pkiDir = seedLabPki(path.join(dir, "pki"));
  return { dir, pkiDir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
