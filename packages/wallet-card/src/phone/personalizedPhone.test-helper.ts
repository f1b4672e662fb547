/** For the tests that run the phone as a process: its built CLI, and a phone data directory to serve. */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "../../../..");
const caCli = path.join(root, "packages/ca/dist/cli.js");
export const phoneCli = path.join(root, "packages/wallet-card/dist/cli.js");

/**
 * A lab PKI (`set-ca init`) in `dir/pki` and, in `dir/phone`, a phone personalized from it with
 * the visa-approve card (`set-phone personalize`); returns the phone's data directory.
 */
export function personalizedPhone(dir: string): string {
  const pkiDir = path.join(dir, "pki");
  const dataDir = path.join(dir, "phone");
  execFileSync(process.execPath, [caCli, "init", "--out", pkiDir], { stdio: "ignore" });
  execFileSync(process.execPath, [
    phoneCli,
    "personalize",
    "--pki",
    pkiDir,
    "--data",
    dataDir,
    "--cards",
    "visa-approve",
  ]);
  return dataDir;
}
