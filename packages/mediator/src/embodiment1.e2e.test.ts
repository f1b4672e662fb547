/**
 * The patent's first embodiment end to end, each party its own process (as purchase.e2e.test.ts):
 * an order with profile `embodiment-1`, the mediator CLI relaying E1InfoInit, E1InfoReq, E1InfoRes
 * and E1Result between the real merchant and the real phone, and the merchant asking the real
 * gateway over E1AuthReq. An approved card, a declined one, what the parties keep (no PAN in the
 * merchant's stored messages), and the PC left with nothing on disk.
 *
 * Needs the packages built (`npx tsc -b`). Without a dist the suite fails with what is missing.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { adminFetch, LabPki, type StartedParty, startParty, writeAdminTokenFile } from "@setlab/runtime";

const packages = path.resolve(__dirname, "../..");
const scripts = {
  ca: path.join(packages, "ca/dist/cli.js"),
  phone: path.join(packages, "wallet-card/dist/cli.js"),
  merchant: path.join(packages, "merchant-server/dist/cli.js"),
  gateway: path.join(packages, "acquirer-server/dist/cli.js"),
  mediator: path.join(packages, "mediator/dist/cli.js"),
};
const PIN = "58203917";
/** The phone runs the fixed-code test policy; the mediator is given the code (docs/card-link.md). */
const LINK_CODE = "602214";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  script: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += d;
    });
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

function emptyDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `setlab-e1-${name}-`));
}

function contents(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" });
}

let work: string;
let pki: LabPki;
let phone: StartedParty;
let gateway: StartedParty;
let merchant: StartedParty;
let adminToken: string;
let phoneAddress: string;

beforeAll(async () => {
  const missing = Object.entries(scripts)
    .filter(([, file]) => !fs.existsSync(file))
    .map(([name, file]) => `${name} (${path.relative(packages, file)})`);
  if (missing.length > 0)
    throw new Error(`build the packages first (npx tsc -b): missing ${missing.join(", ")}`);
  work = emptyDir("e2e");
  const pkiDir = path.join(work, "pki");
  const init = await run(scripts.ca, ["init", "--out", pkiDir]);
  if (init.code !== 0) throw new Error(`set-ca init failed: ${init.stderr}`);
  pki = LabPki.open(pkiDir);
  const phoneDir = path.join(work, "phone");
  const personalized = await run(scripts.phone, [
    "personalize",
    "--pki",
    pkiDir,
    "--data",
    phoneDir,
    "--pin",
    PIN,
  ]);
  if (personalized.code !== 0) throw new Error(`set-phone personalize failed: ${personalized.stderr}`);
  const env = { ...process.env, SETLAB_LOG_LEVEL: "warn" };
  // The back offices (order creation, order and authorization records) are the admin listeners.
  const tokenFile = path.join(work, "admin-token");
  adminToken = writeAdminTokenFile(tokenFile);
  [phone, gateway] = await Promise.all([
    startParty(
      scripts.phone,
      ["serve", "--data", phoneDir, "--port", "0", "--confirm", "auto", "--pairing-code", LINK_CODE],
      { env },
    ),
    startParty(
      scripts.gateway,
      [
        "serve",
        "--pki",
        pkiDir,
        "--db",
        path.join(work, "gateway.db"),
        "--admin-port",
        "0",
        "--admin-token-file",
        tokenFile,
      ],
      { env },
    ),
  ]);
  merchant = await startParty(
    scripts.merchant,
    [
      "serve",
      "--admin-port",
      "0",
      "--admin-token-file",
      tokenFile,
      "--pki",
      pkiDir,
      "--db",
      path.join(work, "merchant.db"),
      "--gateway",
      `Visa=${gateway.url}`,
      "--gateway",
      `MasterCard=${gateway.url}`,
    ],
    { env },
  );
  const url = new URL(phone.url);
  phoneAddress = `${url.hostname}:${url.port}`;
}, 180_000);

afterAll(async () => {
  await Promise.all([phone?.stop(), gateway?.stop(), merchant?.stop()]);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** A new order in the shop's back office with profile embodiment-1; its id and initiation URL. */
async function order(brand = "Visa", amount = 12800): Promise<{ id: number; initiation: string }> {
  const res = await adminFetch({ url: merchant.adminUrl ?? "", token: adminToken }, "/orders", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      description: "1 x SET Lab mug",
      amount,
      currency: 392,
      amtExp10: 0,
      brand,
      profile: "embodiment-1",
    }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: number };
  return { id, initiation: `${merchant.url}/orders/${id}/initiation` };
}

async function admin(url: string, route: string): Promise<unknown> {
  const res = await adminFetch({ url, token: adminToken }, route, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return res.json();
}

function purchaseCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return run(
    scripts.mediator,
    ["purchase", "--phone", phoneAddress, "--pairing-code", LINK_CODE, ...args],
    options,
  );
}

const json = (r: Run) => JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as Record<string, unknown>;

describe("embodiment 1 through set-mediator purchase", () => {
  test("an approved card: the shop checks the card, the gateway authorizes, the card reads the result; nothing on the PC's disk", async () => {
    const cwd = emptyDir("cwd");
    const home = emptyDir("home");
    const tmp = emptyDir("tmp");
    try {
      const { id, initiation } = await order("Visa");
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        TMPDIR: tmp,
        SETLAB_LOG_LEVEL: "trace",
      };
      const r = await purchaseCli(
        ["--initiation", initiation, "--card", "visa-approve", "--pin", PIN, "--json"],
        {
          cwd,
          env,
        },
      );
      expect(r.stderr).not.toMatch(/set-mediator:/);
      expect(r.code).toBe(0);
      expect(json(r)).toMatchObject({ outcome: "approved", completionCode: "authorizationPerformed" });
      expect(json(r).xid).toMatch(/^[0-9a-f]{40}$/);
      // The embodiment's own hops ran, and no SET message did.
      expect(r.stderr).toContain('"message":"E1InfoRes"');
      expect(r.stderr).not.toContain('"message":"PInitReq"');

      expect(contents(cwd)).toEqual([]);
      expect(contents(home)).toEqual([]);
      expect(contents(tmp)).toEqual([]);
      const printed = r.stdout + r.stderr;
      for (const card of Object.values(pki.cards())) {
        expect(printed).not.toContain(card.pan);
        expect(printed).not.toContain(card.panSecret);
      }
      expect(printed).not.toContain(PIN);

      const view = (await admin(merchant.adminUrl ?? "", `/orders/${id}`)) as {
        state: string;
        xid: string;
        authorization: { authCode: string; completionCode: string };
      };
      expect(view.state).toBe("authorized");
      expect(view.xid).toBe(json(r).xid);
      expect(view.authorization).toMatchObject({
        authCode: "approved",
        completionCode: "authorizationPerformed",
      });
      // The merchant keeps its own messages; the card's (with the PAN in the clear) is not among them.
      const messages = (await admin(merchant.adminUrl ?? "", `/orders/${id}/messages`)) as {
        type: string;
        der: string;
      }[];
      expect(messages.map((m) => m.type)).toEqual([
        "e1InfoInit",
        "e1InfoReq",
        "e1AuthReq",
        "e1AuthRes",
        "e1Result",
      ]);
      const pan = pki.cards()["visa-approve"].pan;
      for (const m of messages) expect(Buffer.from(m.der, "base64").toString("latin1")).not.toContain(pan);
      const auths = (await admin(gateway.adminUrl ?? "", `/admin/authorizations?xid=${view.xid}`)) as {
        authCode: string;
      }[];
      expect(auths.map((a) => a.authCode)).toEqual(["approved"]);
    } finally {
      for (const d of [cwd, home, tmp]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test("a declined card: the order is declined and the card hears orderRejected", async () => {
    const { id, initiation } = await order("Visa");
    const r = await purchaseCli(["--initiation", initiation, "--card", "visa-nsf", "--pin", PIN, "--json"]);
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ outcome: "declined", completionCode: "orderRejected" });
    const view = (await admin(merchant.adminUrl ?? "", `/orders/${id}`)) as { state: string };
    expect(view.state).toBe("declined");
  });

  test("an embodiment 1 order is not paid twice", async () => {
    const { initiation } = await order("Visa");
    const first = await purchaseCli([
      "--initiation",
      initiation,
      "--card",
      "visa-approve",
      "--pin",
      PIN,
      "--json",
    ]);
    expect(json(first).outcome).toBe("approved");
    const again = await purchaseCli([
      "--initiation",
      initiation,
      "--card",
      "visa-approve",
      "--pin",
      PIN,
      "--json",
    ]);
    expect(again.code).toBe(2);
    expect(json(again)).toMatchObject({ outcome: "refused" });
    expect(String(json(again).reason)).toMatch(/refused the E1InfoInit: unspecifiedFailure/);
  });
});
