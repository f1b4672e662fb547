/** For the tests that run the phone as a process: its built CLI, and a phone data directory to serve. */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { seedLabPki } from "@setlab/runtime/testing";

const root = path.resolve(__dirname, "../../../..");
export const phoneCli = path.join(root, "packages/wallet-card/dist/cli.js");

/**
 * A lab PKI (a copy of the test run's `set-ca init`, seedLabPki) in `dir/pki` and, in
 * `dir/phone`, a phone personalized from it with the visa-approve card (`set-phone personalize`);
 * returns the phone's data directory.
 */
export function personalizedPhone(dir: string): string {
  const pkiDir = path.join(dir, "pki");
  const dataDir = path.join(dir, "phone");
  seedLabPki(pkiDir);
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
