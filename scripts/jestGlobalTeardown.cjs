/** Jest global teardown: remove the test run's template PKI made by jestGlobalSetup.cjs. */
const fs = require("node:fs");
const path = require("node:path");

const templateVariable = "SETLAB_TEST_PKI_TEMPLATE";

module.exports = async function globalTeardown() {
  const template = process.env[templateVariable];
  if (template) fs.rmSync(path.dirname(template), { recursive: true, force: true });
};
