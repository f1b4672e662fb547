/** Root jest config: every package's tests, TypeScript through @swc/jest (no type-check; `tsc -b` does that). */
const swc = [
  "@swc/jest",
  { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } },
];
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": swc },
  testMatch: ["<rootDir>/packages/*/src/**/*.test.ts", "<rootDir>/packages/*/test/**/*.test.ts"],
  moduleNameMapper: {
    "^@setlab/([a-z-]+)$": "<rootDir>/packages/$1/src/index.ts",
    "^@setlab/([a-z-]+)/testing$": "<rootDir>/packages/$1/src/testing/index.ts",
    "^@setlab/protocol/card-link$": "<rootDir>/packages/protocol/src/cardLink/index.ts",
    "^@setlab/protocol/relay$": "<rootDir>/packages/protocol/src/relay.ts",
    "^@setlab/runtime/client$": "<rootDir>/packages/runtime/src/client.ts",
    "^@setlab/protocol/testing/arbitrary$": "<rootDir>/packages/protocol/src/testing/arbitrary.ts",
    "^@setlab/protocol/bench$": "<rootDir>/packages/protocol/src/bench/protocolBench.ts",
    "^@setlab/protocol/v8-tuning$": "<rootDir>/packages/protocol/src/v8Tuning.ts",
  },
  testTimeout: 60000,
  // One lab PKI for the run, copied by the tests that need one (@setlab/runtime/testing's seedLabPki).
  globalSetup: "<rootDir>/scripts/jestGlobalSetup.cjs",
  globalTeardown: "<rootDir>/scripts/jestGlobalTeardown.cjs",
  // The stores a test file opened are closed when it ends (@setlab/runtime/testing's closedAtEnd).
  setupFilesAfterEnv: ["<rootDir>/scripts/jestCloseStores.cjs"],
  // Jest's default on a 2-core machine is one worker. The end-to-end suites spend most of their
  // time waiting on the parties they start (retry schedules, restarts, timeouts), so more workers
  // than cores overlap that wait with other suites: on 2 cores, 2 workers kept the CPU 74 % busy
  // (489 s), 3 workers 93 % (368 s), with the same 4195 tests passing.
  maxWorkers: 3,
};
