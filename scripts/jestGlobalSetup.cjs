/**
 * Jest global setup, for the whole test run:
 * - one lab PKI (`set-ca init`), named to the workers in SETLAB_TEST_PKI_TEMPLATE; tests copy it
 *   with @setlab/runtime/testing's seedLabPki instead of generating 57 RSA keys each;
 * - a pool of RSA-2048 key pairs per use, named in SETLAB_TEST_KEY_POOL, which
 *   @setlab/protocol/testing's test PKIs import instead of generating a hierarchy's keys per file.
 * Both live in one temporary directory, removed again by jestGlobalTeardown.cjs.
 */
const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const { promisify } = require("node:util");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const templateVariable = "SETLAB_TEST_PKI_TEMPLATE";
const keyPoolVariable = "SETLAB_TEST_KEY_POOL";
/** Pairs per use: more than the distinct slots of one use any test process asks for. */
const poolSize = { ca: 12, signature: 12, keyEncipherment: 8 };

async function writeKeyPool(file) {
  const generate = promisify(crypto.generateKeyPair);
  const pool = { format: "setlab-test-key-pool/1" };
  await Promise.all(
    Object.entries(poolSize).map(async ([use, n]) => {
      pool[use] = await Promise.all(
        Array.from({ length: n }, async () => {
          const { privateKey, publicKey } = await generate("rsa", {
            modulusLength: 2048,
            publicExponent: 65537,
          });
          return {
            pkcs8: privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"),
            spki: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
          };
        }),
      );
    }),
  );
  fs.writeFileSync(file, JSON.stringify(pool), { mode: 0o600 });
}

module.exports = async function globalSetup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-jest-pki-"));
  const keyPool = path.join(dir, "key-pool.json");
  const pooled = writeKeyPool(keyPool);
  const caCli = path.join(__dirname, "../packages/ca/dist/cli.js");
  // Unbuilt tree: no template, so each test runs `set-ca init` (and says what is missing).
  if (fs.existsSync(caCli)) {
    const out = path.join(dir, "pki");
    // The key pool is generated on libuv's threads meanwhile.
    const r = spawnSync(process.execPath, [caCli, "init", "--out", out], { encoding: "utf8" });
    if (r.status !== 0)
      throw new Error(`jest global setup: set-ca init failed: ${(r.stderr || r.stdout).trim()}`);
    process.env[templateVariable] = out;
  }
  await pooled;
  // Workers are started after this and inherit the variables; the teardown removes `dir`.
  process.env[keyPoolVariable] = keyPool;
};
