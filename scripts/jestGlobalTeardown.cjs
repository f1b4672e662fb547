/** Jest global teardown: remove the test run's template PKI and key pool made by jestGlobalSetup.cjs. */
const fs = require("node:fs");
const path = require("node:path");

const keyPoolVariable = "SETLAB_TEST_KEY_POOL";

module.exports = async function globalTeardown() {
  const keyPool = process.env[keyPoolVariable];
  if (keyPool) fs.rmSync(path.dirname(keyPool), { recursive: true, force: true });
};
