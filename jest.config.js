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
    "^@setlab/protocol/testing/arbitrary$": "<rootDir>/packages/protocol/src/testing/arbitrary.ts",
    "^@setlab/protocol/bench$": "<rootDir>/packages/protocol/src/bench/protocolBench.ts",
  },
  testTimeout: 60000,
  // One lab PKI for the run, copied by the tests that need one (@setlab/runtime/testing's seedLabPki).
  globalSetup: "<rootDir>/scripts/jestGlobalSetup.cjs",
  globalTeardown: "<rootDir>/scripts/jestGlobalTeardown.cjs",
  // Jest's default on a 2-core machine is one worker; the end-to-end suites spend most of their
  // time waiting on the parties they start, so two workers overlap that wait with other suites.
  maxWorkers: 2,
};
