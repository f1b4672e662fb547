/** Jest global teardown: remove the test run's shared directory made by jestGlobalSetup.cjs. */
const fs = require("node:fs");

const runDirVariable = "SETLAB_TEST_RUN_DIR";

module.exports = async function globalTeardown() {
  const dir = process.env[runDirVariable];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
