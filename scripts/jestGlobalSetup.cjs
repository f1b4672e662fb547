/**
 * Jest global setup: one lab PKI (`set-ca init`) for the whole test run, named to the workers in
 * SETLAB_TEST_PKI_TEMPLATE; tests copy it with @setlab/runtime/testing's seedLabPki instead of
 * generating 57 RSA keys each. Removed again by jestGlobalTeardown.cjs.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const templateVariable = "SETLAB_TEST_PKI_TEMPLATE";

module.exports = async function globalSetup() {
  const caCli = path.join(__dirname, "../packages/ca/dist/cli.js");
  // Unbuilt tree: leave the variable unset, so each test runs `set-ca init` (and says what is missing).
  if (!fs.existsSync(caCli)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-jest-pki-"));
  const out = path.join(dir, "pki");
  const r = spawnSync(process.execPath, [caCli, "init", "--out", out], { encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`jest global setup: set-ca init failed: ${(r.stderr || r.stdout).trim()}`);
  // Workers are started after this and inherit the variable; the teardown removes `dir`.
  process.env[templateVariable] = out;
};
