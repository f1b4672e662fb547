/**
 * Jest global setup: an empty directory for the whole test run, named to the workers in
 * SETLAB_TEST_RUN_DIR. What tests share through it (one lab PKI made by `set-ca init`, RSA key
 * pairs) is made there by the first test that needs it (@setlab/protocol/testing's runShared),
 * so a run of one test file that needs none of it pays nothing. Removed by jestGlobalTeardown.cjs.
 */
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const runDirVariable = "SETLAB_TEST_RUN_DIR";

module.exports = async function globalSetup() {
  // Workers are started after this and inherit the variable.
  process.env[runDirVariable] = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-jest-run-"));
};
