/**
 * The patent's second embodiment end to end, each party its own process: an order with profile
 * `embodiment-2`, the mediator CLI relaying the shop's and the card's hellos and the session key,
 * showing the buyer the order the card marks non-forward and answering with `--confirm`, and only
 * then the card information under the session key; the merchant authorizes over E1AuthReq.
 * Every body the PC sends toward the shop passes a recording proxy: the order never does.
 *
 * Needs the packages built (`npx tsc -b`). Without a dist the suite fails with what is missing.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
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
  return fs.mkdtempSync(path.join(os.tmpdir(), `setlab-e2-${name}-`));
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

/** A proxy in front of the merchant that keeps every body the PC posts toward the shop. */
async function recordingProxy(target: string) {
  const bodies: Buffer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      bodies.push(body);
      const answer = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "" },
        body: req.method === "POST" ? body : undefined,
      });
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const description = "2 x SET Lab tea towel, embroidered";

/** A new order with profile embodiment-2; its id and its initiation object, with embodimentUrl through `via`. */
async function order(via?: string): Promise<{ id: number; file: string }> {
  const res = await adminFetch({ url: merchant.adminUrl ?? "", token: adminToken }, "/orders", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      description,
      amount: 4200,
      currency: 392,
      amtExp10: 0,
      brand: "Visa",
      profile: "embodiment-2",
    }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: number };
  const initiation = (await (await fetch(`${merchant.url}/orders/${id}/initiation`)).json()) as Record<
    string,
    unknown
  >;
  expect(initiation.profile).toBe("embodiment-2");
  if (via) initiation.embodimentUrl = `${via}/set/embodiment`;
  const file = path.join(work, `initiation-${id}.json`);
  fs.writeFileSync(file, JSON.stringify(initiation));
  return { id, file };
}

async function admin(route: string): Promise<unknown> {
  const res = await adminFetch({ url: merchant.adminUrl ?? "", token: adminToken }, route, {
    signal: AbortSignal.timeout(10_000),
  });
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

describe("embodiment 2 through set-mediator purchase", () => {
  test("the buyer confirms the order shown under the non-forward flag; the order never goes to the shop; approved", async () => {
    const proxy = await recordingProxy(merchant.url);
    const cwd = emptyDir("cwd");
    const home = emptyDir("home");
    const tmp = emptyDir("tmp");
    try {
      const { id, file } = await order(proxy.url);
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        TMPDIR: tmp,
        SETLAB_LOG_LEVEL: "trace",
      };
      const r = await purchaseCli(
        ["--initiation", file, "--card", "visa-approve", "--pin", PIN, "--confirm", "yes", "--json"],
        { cwd, env },
      );
      expect(r.stderr).not.toMatch(/set-mediator:/);
      expect(r.code).toBe(0);
      expect(json(r)).toMatchObject({ outcome: "approved", completionCode: "authorizationPerformed" });
      // Shown to the buyer: the order as the card opened it under the session key.
      expect(r.stderr).toMatch(new RegExp(`order from [^:]+: ${description}, JPY 4200`));
      // Never toward the shop: no body the PC posted is the marked item or carries the order.
      expect(proxy.bodies.length).toBe(3);
      for (const body of proxy.bodies) {
        expect(body.toString("latin1")).not.toContain(description);
        expect(body.toString("latin1")).not.toContain("tea towel");
      }
      for (const d of [cwd, home, tmp]) expect(contents(d)).toEqual([]);
      const printed = r.stdout + r.stderr;
      for (const card of Object.values(pki.cards())) expect(printed).not.toContain(card.pan);
      const view = (await admin(`/orders/${id}`)) as { state: string };
      expect(view.state).toBe("authorized");
      const messages = (await admin(`/orders/${id}/messages`)) as { type: string }[];
      expect(messages.map((m) => m.type)).not.toContain("e2OrderForBuyer");
    } finally {
      await proxy.close();
      for (const d of [cwd, home, tmp]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test("the buyer says no: the card gives nothing, the shop gets no card information", async () => {
    const proxy = await recordingProxy(merchant.url);
    try {
      const { id, file } = await order(proxy.url);
      const r = await purchaseCli([
        "--initiation",
        file,
        "--card",
        "visa-approve",
        "--pin",
        PIN,
        "--confirm",
        "no",
        "--json",
      ]);
      expect(r.code).toBe(2);
      expect(json(r)).toMatchObject({ outcome: "refused", reason: "the buyer did not confirm the order" });
      // E2Init and E2CardHello only: no E2CardInfo left the PC.
      expect(proxy.bodies.length).toBe(2);
      const view = (await admin(`/orders/${id}`)) as { state: string };
      expect(view.state).toBe("initiated");
    } finally {
      await proxy.close();
    }
  });
});
