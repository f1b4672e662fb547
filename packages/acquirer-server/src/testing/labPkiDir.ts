/** Test-only: a lab PKI made by `set-ca init` in a temporary directory (about 5 s). */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const caCli = path.resolve(__dirname, "../../../ca/dist/cli.js");

export function makeLabPkiDir(): { dir: string; pkiDir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-gateway-"));
  const pkiDir = path.join(dir, "pki");
  execFileSync(process.execPath, [caCli, "init", "--out", pkiDir], { stdio: "ignore" });
  return { dir, pkiDir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
