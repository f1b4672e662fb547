/**
 * Configuration errors stop the start: createMerchant (and the plugin's registration) reject with
 * MerchantConfigurationError, before any order could be left in doubt.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { seedLabPki } from "@setlab/runtime/testing";
import Fastify from "fastify";
import { MerchantConfigurationError } from "./core/endpointUrl";
import { type CreateMerchantOptions, createMerchant } from "./createMerchant";
import { HttpGatewayClient } from "./httpGatewayClient";
import { merchantPlugin } from "./plugin";

const root = path.resolve(__dirname, "../../..");
let dir: string;
let pki: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-config-"));
  pki = path.join(dir, "pki");
  seedLabPki(pki);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const good = (): CreateMerchantOptions => ({
  pki,
  db: ":memory:",
  gateways: { Visa: "http://127.0.0.1:8402" },
});

describe("configuration errors fail at start-up", () => {
  test.each([
    [
      "a gateway URL of another scheme",
      { gateways: { Visa: "ftp://127.0.0.1:8402" } },
      /must be http: or https:/,
    ],
    ["a gateway port HTTP clients refuse", { gateways: { Visa: "http://127.0.0.1:6000" } }, /port 6000/],
    ["a gateway port out of range", { gateways: { Visa: "http://127.0.0.1:70000" } }, /is not a URL/],
    ["a gateway port 0", { gateways: { Visa: "http://127.0.0.1:0" } }, /port 0/],
    ["credentials in the URL", { gateways: { Visa: "http://u:pw@127.0.0.1:8402" } }, /credentials/],
    ["no gateway at all", { gateways: {} }, /at least one brand/],
    ["a brand the PKI lacks", { gateways: { Amex: "http://127.0.0.1:8402" } }, /no brand Amex/],
    ["a wrong passphrase", { passphrase: "not-the-lab-one" }, /wrong passphrase/],
    ["a PKI directory that is not there", { pki: "/nonexistent/pki" }, /keys and certificates/],
    [
      "a webhook on a refused port",
      { webhook: { url: "http://127.0.0.1:10080/h", secret: "s".repeat(32) } },
      /port 10080/,
    ],
  ] as const)("%s", async (_what, change, message) => {
    const attempt = createMerchant({ ...good(), ...change } as CreateMerchantOptions);
    await expect(attempt).rejects.toBeInstanceOf(MerchantConfigurationError);
    await expect(createMerchant({ ...good(), ...change } as CreateMerchantOptions)).rejects.toThrow(message);
  });

  test("a missing certificate", async () => {
    const copy = path.join(dir, "pki-missing");
    fs.cpSync(pki, copy, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(copy, "manifest.json"), "utf8"));
    const entry = manifest.certificates.find((e: { id: string }) => e.id === "visa/merchant/signature");
    fs.rmSync(path.join(copy, entry.certificate));
    await expect(createMerchant({ ...good(), pki: copy })).rejects.toThrow(MerchantConfigurationError);
  });

  /** `set-merchant serve` on the test PKI and a store in `db`, run to its end (or 20 s). */
  const serve = (db: string, gateway: string, ...more: string[]) =>
    spawnSync(
      process.execPath,
      [
        path.join(root, "packages/merchant-server/dist/cli.js"),
        "serve",
        "--pki",
        pki,
        "--db",
        path.join(dir, db),
        "--gateway",
        `Visa=${gateway}`,
        ...more,
        "--port",
        "0",
      ],
      { encoding: "utf8", timeout: 20_000 },
    );

  test("set-merchant serve: the same refusal, one line, exit code 2", () => {
    const run = serve("cli.db", "http://127.0.0.1:6000");
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/set-merchant: gateway Visa: port 6000/);
  });

  test.each(["50", "120001", "1.5", "soon"])(
    "set-merchant serve --gateway-timeout %s: refused, exit code 2",
    (ms) => {
      const run = serve("timeout.db", "http://127.0.0.1:8402", "--gateway-timeout", ms);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`--gateway-timeout takes 100..120000 milliseconds, not ${ms}`);
      expect(fs.existsSync(path.join(dir, "timeout.db"))).toBe(false);
    },
  );

  test("a gateway id the client has no URL for", () => {
    expect(() =>
      new HttpGatewayClient({ Visa: "http://127.0.0.1:8402/set" }).checkGateways(["Visa", "MasterCard"]),
    ).toThrow(/no gateway URL for MasterCard/);
  });

  test("the plugin's registration rejects a publicUrl no buyer could use; a good configuration is ready", async () => {
    const merchant = await createMerchant({ ...good(), testMode: true });
    const bad = Fastify();
    bad.register(merchantPlugin, { merchant, publicUrl: "javascript:alert(1)", settleEveryMs: false });
    await expect(bad.ready()).rejects.toThrow(/publicUrl/);
    const app = Fastify();
    await app.register(merchantPlugin, { merchant, settleEveryMs: false, resumeOnReady: false });
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    const health = await fetch(`${url}/health`);
    expect(await health.json()).toEqual({
      status: "ok",
      party: "merchant",
      brands: ["Visa"],
      testMode: true,
    });
    await app.close();
    await bad.close().catch(() => {});
    await merchant.close();
  });
});
