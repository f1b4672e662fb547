/**
 * Test-only: a lab PKI of a test's own, made by `set-ca init` once per test run and copied.
 *
 * `set-ca init` generates 57 RSA-2048 keys, about 10 s of CPU; a test run that made one per lab it
 * starts spent more than a third of its CPU there. Under jest (`scripts/jestGlobalSetup.cjs`), the
 * first test that asks for a lab PKI runs `set-ca init` into the run's shared directory
 * (`runShared` of @setlab/protocol/testing), and `seedLabPki` copies that one (file modes kept, so
 * key files stay 0600) into the directory a test asks for, where the test may revoke, issue or
 * corrupt as it likes without touching another test's PKI. Outside a jest run it runs
 * `set-ca init`. The tests of `set-ca init` itself and of the README's quick start do not use this.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { runShared } from "@setlab/protocol/testing";

/** The CA's built CLI (this file is two levels below its package in src/ and in dist/ alike). */
const caCliPath = path.resolve(__dirname, "../../../ca/dist/cli.js");

/** Run `set-ca init --out out`; throws with the CA's own message when it fails. */
function initLabPki(out: string): string {
  if (!fs.existsSync(caCliPath))
    throw new Error(`build the packages first (npx tsc -b): missing ${caCliPath}`);
  const r = spawnSync(process.execPath, [caCliPath, "init", "--out", out], { encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`set-ca init failed: ${(r.stderr || r.stdout || `${r.signal}`).trim()}`);
  return out;
}

/** A lab PKI in `out` (which must not exist yet): a copy of the test run's, or a new one. */
export function seedLabPki(out: string): string {
  const template = runShared("lab-pki", (into) => initLabPki(into));
  if (!template) return initLabPki(out);
  if (fs.existsSync(out)) throw new Error(`seedLabPki: ${out} exists already`);
  fs.cpSync(template, out, { recursive: true, errorOnExist: true, force: false });
  return out;
}
