/**
 * The mediator against the real parties, each its own process: a lab PKI from `set-ca init`, the
 * phone (`set-phone personalize` then `serve`), the gateway (`set-gateway serve`) and the merchant
 * (`set-merchant serve`). The mediator runs as `dist/cli.js purchase` in a child process, or as a
 * library (`runPurchase`) where the test needs to look inside (the PIN buffer, the steps).
 *
 * The key test: the CLI runs with its working directory, HOME and TMPDIR in fresh empty
 * directories, at the most verbose log level; afterwards those directories are still empty, and
 * nothing it printed carries the PAN, the PANSecret, the PIN or any certificate (PEM or base64).
 *
 * Needs the packages built (`npx tsc -b`; `npm test` does that first). Without a dist the suite
 * fails with the list of what is missing: it never skips.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BondCache } from "@setlab/protocol/card-link";
import { adminFetch, LabPki, type StartedParty, startParty, writeAdminTokenFile } from "@setlab/runtime";
import { loadInitiation } from "./initiation";
import { runPurchase, type Step } from "./mediator";

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
  return fs.mkdtempSync(path.join(os.tmpdir(), `setlab-mediator-${name}-`));
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
  [phone, gateway] = await Promise.all([
    startParty(
      scripts.phone,
      ["serve", "--data", phoneDir, "--port", "0", "--confirm", "auto", "--pairing-code", LINK_CODE],
      { env },
    ),
    startParty(scripts.gateway, ["serve", "--pki", pkiDir, "--db", path.join(work, "gateway.db")], { env }),
  ]);
  // The shop's back office (order creation) is the merchant's admin listener.
  const tokenFile = path.join(work, "admin-token");
  adminToken = writeAdminTokenFile(tokenFile);
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

/** A new order in the shop's back office; its initiation object's URL. */
async function order(brand = "Visa", amount = 12800): Promise<string> {
  const res = await adminFetch({ url: merchant.adminUrl ?? "", token: adminToken }, "/orders", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ description: "1 x SET Lab mug", amount, currency: 392, amtExp10: 0, brand }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string | number };
  return `${merchant.url}/orders/${id}/initiation`;
}

function purchaseCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; code?: string | null } = {},
) {
  const code =
    options.code === undefined
      ? ["--pairing-code", LINK_CODE]
      : options.code === null
        ? []
        : ["--pairing-code", options.code];
  return run(scripts.mediator, ["purchase", "--phone", phoneAddress, ...code, ...args], options);
}

const json = (r: Run) => JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as Record<string, unknown>;

describe("set-mediator purchase against the real phone, merchant and gateway", () => {
  test("writes nothing to disk and prints no PAN, secret, PIN or certificate", async () => {
    const cwd = emptyDir("cwd");
    const home = emptyDir("home");
    const tmp = emptyDir("tmp");
    try {
      const initiation = await order("Visa");
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        USERPROFILE: home,
        TMPDIR: tmp,
        TMP: tmp,
        TEMP: tmp,
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
      const outcome = json(r);
      expect(outcome.outcome).toBe("approved");
      expect(outcome.completionCode).toBe("authorizationPerformed");
      expect(outcome.xid).toMatch(/^[0-9a-f]{40}$/);
      // The logs at trace level did speak: the check below is not vacuous.
      expect(r.stderr).toContain('"step":"S38-S41"');

      expect(contents(cwd)).toEqual([]);
      expect(contents(home)).toEqual([]);
      expect(contents(tmp)).toEqual([]);

      const printed = r.stdout + r.stderr;
      const cards = pki.cards();
      for (const card of Object.values(cards)) {
        expect(printed).not.toContain(card.pan);
        expect(printed).not.toContain(card.panSecret);
        expect(printed).not.toContain(card.panSecret.toUpperCase());
      }
      expect(printed).not.toContain(PIN);
      expect(printed).not.toMatch(/-----BEGIN/);
      for (const id of [
        "root",
        "visa/cards/visa-approve",
        "visa/merchant/signature",
        "visa/gateway/key-exchange",
      ]) {
        const der = Buffer.from(pki.certificate(id));
        expect(printed).not.toContain(der.toString("base64").slice(0, 64));
        expect(printed).not.toContain(der.subarray(0, 64).toString("hex"));
      }
      // No long base64 or hex run at all: message bytes never reach the output, only sizes.
      expect(printed).not.toMatch(/[A-Za-z0-9+/]{100,}={0,2}/);
      expect(printed.replace(/"xid":"[0-9a-f]{40}"|XID\s+[0-9a-f]{40}/g, "")).not.toMatch(/[0-9a-fA-F]{64,}/);
    } finally {
      for (const d of [cwd, home, tmp]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test("the human summary names the outcome and every hop", async () => {
    const r = await purchaseCli([
      "--initiation",
      await order("MasterCard", 900),
      "--card",
      "mc-approve",
      "--pin",
      PIN,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^approved\n/);
    for (const s of ["S32", "S33", "S34-S35", "S36-S37", "S38-S41", "S52-S54", "S55-S56"])
      expect(r.stdout).toContain(`  ${s}`);
    expect(r.stdout).toMatch(/XID\s+[0-9a-f]{40}/);
  });

  test("an issuer decline is a purchase that ran: exit 0, declined", async () => {
    const r = await purchaseCli([
      "--initiation",
      await order(),
      "--card",
      "visa-nsf",
      "--pin",
      PIN,
      "--json",
    ]);
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ outcome: "declined", completionCode: "orderRejected" });
  });

  test("wrong PINs count down to a blocked card (63Cx, then 6983); exit 2 with one line", async () => {
    const reasons: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await purchaseCli([
        "--initiation",
        await order(),
        "--card",
        "visa-call",
        "--pin",
        "0000",
        "--json",
      ]);
      expect(r.code).toBe(2);
      expect(json(r).outcome).toBe("refused");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      reasons.push(String(json(r).reason));
      if (/PIN is blocked/.test(String(json(r).reason))) break;
    }
    const tries = reasons
      .map((r) => /(\d+) tr(?:y|ies) left/.exec(r)?.[1])
      .filter(Boolean)
      .map(Number);
    expect(tries.length).toBeGreaterThan(0);
    expect(tries).toEqual([...tries].sort((a, b) => b - a));
    expect(reasons[reasons.length - 1]).toMatch(/PIN is (?:now )?blocked/);
    // Blocked: even the right PIN is refused now.
    const r = await purchaseCli(["--initiation", await order(), "--card", "visa-call", "--pin", PIN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^set-mediator: refused: the card's PIN is blocked\n$/);
  });

  test("an unknown card, an unreachable phone: exit 2 with a clear line", async () => {
    const unknown = await purchaseCli(["--initiation", await order(), "--card", "visa-nobody", "--pin", PIN]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('set-mediator: refused: no card "visa-nobody" on the phone\n');
    const closed = await run(scripts.mediator, [
      "purchase",
      "--initiation",
      await order(),
      "--phone",
      "127.0.0.1:1",
      "--pairing-code",
      LINK_CODE,
      "--card",
      "visa-approve",
      "--pin",
      PIN,
    ]);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toMatch(/^set-mediator: failed: cannot reach the phone at 127\.0\.0\.1:1/);
  });

  test("the shop's rules: a brand it does not take, an unsigned PReq it does not allow", async () => {
    const mcOnly = await purchaseCli([
      "--initiation",
      await order("MasterCard"),
      "--card",
      "visa-approve",
      "--pin",
      PIN,
    ]);
    expect(mcOnly.code).toBe(2);
    expect(mcOnly.stderr).toMatch(/the shop does not accept Visa \(it accepts MasterCard\)/);
    const visaOrder = await order("Visa");
    const initiation = await loadInitiation(visaOrder);
    expect(initiation.unsignedAllowed).not.toContain("Visa");
    {
      const unsigned = await purchaseCli([
        "--initiation",
        visaOrder,
        "--card",
        "visa-approve",
        "--pin",
        PIN,
        "--unsigned",
      ]);
      expect(unsigned.code).toBe(2);
      expect(unsigned.stderr).toMatch(/the shop does not take unsigned purchases for Visa/);
    }
  });

  test("a merchant's SET Error is reported, not relayed: an initiation naming no order", async () => {
    const dir = emptyDir("initiation");
    try {
      const initiation = await loadInitiation(await order("MasterCard"));
      const file = path.join(dir, "initiation.json");
      fs.writeFileSync(file, JSON.stringify({ ...initiation, lidM: "order-none" }));
      const r = await purchaseCli(["--initiation", file, "--card", "mc-nsf", "--pin", PIN, "--json"]);
      expect(r.code).toBe(2);
      expect(json(r)).toMatchObject({
        outcome: "refused",
        reason: "the merchant refused the PInitReq: unknownLID",
      });
      const steps = json(r).steps as Step[];
      expect(steps.map((s) => s.message)).toEqual([
        "PAIR",
        "SELECT",
        "VERIFY_PIN",
        "PInitReq",
        "PInitReq",
        "Error",
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a merchant that cannot be reached: failed, with a timeout on every wait", async () => {
    const initiation = await loadInitiation(await order("MasterCard"));
    const outcome = await runPurchase({
      initiation: { ...initiation, setUrl: "http://127.0.0.1:1/set" },
      card: {
        host: "127.0.0.1",
        port: Number(new URL(phone.url).port),
        cardId: "mc-stolen",
        pin: PIN,
        pairingCode: LINK_CODE,
      },
    });
    expect(outcome.outcome).toBe("failed");
    expect(outcome.reason).toMatch(/^sending the PInitReq: cannot reach http:\/\/127\.0\.0\.1:1\/set/);
  });

  test("as a library: the PIN buffer is overwritten, the steps arrive in order", async () => {
    const pin = new Uint8Array(Buffer.from(PIN, "latin1"));
    const seen: Step[] = [];
    const initiation = await loadInitiation(await order("MasterCard", 1500));
    const outcome = await runPurchase({
      initiation,
      card: {
        host: "127.0.0.1",
        port: Number(new URL(phone.url).port),
        cardId: "mc-approve",
        pin,
        pairingCode: LINK_CODE,
      },
      onStep: (s) => seen.push(s),
      runId: "mediator-e2e",
    });
    expect(outcome.outcome).toBe("approved");
    expect(pin).toEqual(new Uint8Array(PIN.length));
    expect(seen).toEqual(outcome.steps);
    expect(seen.map((s) => `${s.step} ${s.from}>${s.to} ${s.message}`)).toEqual([
      "pair mediator>card PAIR",
      "select mediator>card SELECT",
      "pin mediator>card VERIFY_PIN",
      "S32 card>mediator PInitReq",
      "S32 mediator>merchant PInitReq",
      "S33 merchant>mediator PInitRes",
      "S34-S35 mediator>card PInitRes",
      "S36-S37 card>mediator PReq",
      "S38-S41 mediator>merchant PReq",
      "S52-S54 merchant>mediator PRes",
      "S55-S56 mediator>card PRes",
    ]);
    for (const s of seen.filter((x) => !["PAIR", "SELECT", "VERIFY_PIN"].includes(x.message)))
      expect(s.bytes).toBeGreaterThan(0);
  });

  test("with a bond cache: the first purchase pairs and bonds, the next resumes with no code", async () => {
    const bonds = new BondCache();
    const port = Number(new URL(phone.url).port);
    let asked = 0;
    const card = {
      host: "127.0.0.1",
      port,
      cardId: "mc-approve",
      bonds,
      pairingCode: async () => {
        asked++;
        return LINK_CODE;
      },
    };
    const first = await runPurchase({
      initiation: await loadInitiation(await order("MasterCard")),
      card: { ...card, pin: PIN },
    });
    const second = await runPurchase({
      initiation: await loadInitiation(await order("MasterCard")),
      card: { ...card, pin: PIN },
    });
    expect([first.outcome, second.outcome]).toEqual(["approved", "approved"]);
    expect(first.steps[0]).toMatchObject({ step: "pair", message: "PAIR" });
    expect(second.steps[0]).toMatchObject({ step: "resume", message: "RESUME" });
    expect(asked).toBe(1);
    expect(bonds.size).toBe(1);
  });

  test("without a PIN the card refuses the purchase (6982), and a refused PIN is wiped too", async () => {
    const port = Number(new URL(phone.url).port);
    const initiation = await loadInitiation(await order());
    const noPin = await runPurchase({
      initiation,
      card: { host: "127.0.0.1", port, cardId: "visa-expired", pairingCode: LINK_CODE },
    });
    expect(noPin.outcome).toBe("refused");
    expect(noPin.reason).toBe("the card refused PINIT_REQUEST: the PIN was not verified (give the PIN)");
    const badFormat = new Uint8Array(Buffer.from("12ab"));
    const refused = await runPurchase({
      initiation,
      card: { host: "127.0.0.1", port, cardId: "visa-expired", pin: badFormat, pairingCode: LINK_CODE },
    });
    expect(refused).toMatchObject({ outcome: "refused", reason: "the PIN must be 4 to 12 digits" });
    expect(badFormat).toEqual(new Uint8Array(4));
  });

  test("pairing: the code from SETLAB_PAIRING_CODE or typed on stdin works; a wrong code is a refusal, exit 2", async () => {
    const viaEnv = await purchaseCli(
      ["--initiation", await order(), "--card", "visa-approve", "--pin", PIN, "--json"],
      {
        code: null,
        env: { ...process.env, SETLAB_PAIRING_CODE: LINK_CODE },
      },
    );
    expect(viaEnv.code).toBe(0);
    expect(json(viaEnv).outcome).toBe("approved");
    const typed = await purchaseCli(
      ["--initiation", await order(), "--card", "visa-approve", "--pin", PIN, "--json"],
      {
        code: null,
        env: { ...process.env, SETLAB_PAIRING_CODE: "" },
        input: `${LINK_CODE}\n`,
      },
    );
    expect(typed.stderr).toContain("pairing code shown on the phone: ");
    expect(typed.code).toBe(0);
    const wrong = await purchaseCli(["--initiation", await order(), "--card", "visa-approve", "--pin", PIN], {
      code: "602215",
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^set-mediator: refused: pairing with the phone failed: .*wrong code/);
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
    const badFlag = await purchaseCli(["--initiation", await order(), "--card", "visa-approve"], {
      code: "12345",
    });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--pairing-code must be 6 digits/);
    const nobody = await purchaseCli(
      ["--initiation", await order(), "--card", "visa-approve", "--pin", PIN],
      {
        code: null,
        env: { ...process.env, SETLAB_PAIRING_CODE: "" },
        input: "",
      },
    );
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toMatch(/no pairing code given/);
    // a good pairing last, so the phone's failed-pairing count is back at zero
    const again = await purchaseCli(["--initiation", await order(), "--card", "visa-approve", "--pin", PIN]);
    expect(again.code).toBe(0);
  });
});
