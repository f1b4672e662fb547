/**
 * Test-only: the real parties a mediator end-to-end test buys from, each its own process from
 * dist: a lab PKI from `set-ca init`, the phone (`set-phone personalize`, then `serve` with the
 * fixed-code pairing policy), the gateway and the merchant (`serve`, each with an admin listener
 * behind one token), and `set-mediator purchase` run as a child process against them.
 *
 * Needs the packages built (`npx tsc -b`). Without a dist it fails with what is missing: it never
 * skips.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { adminFetch, LabPki, type StartedParty, startParty, writeAdminTokenFile } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";

const packages = path.resolve(__dirname, "../../..");
export const scripts = {
  ca: path.join(packages, "ca/dist/cli.js"),
  phone: path.join(packages, "wallet-card/dist/cli.js"),
  merchant: path.join(packages, "merchant-server/dist/cli.js"),
  gateway: path.join(packages, "acquirer-server/dist/cli.js"),
  mediator: path.join(packages, "mediator/dist/cli.js"),
};
export const PIN = "58203917";
/** The phone runs the fixed-code test policy; the mediator is given the code (docs/card-link.md). */
export const LINK_CODE = "602214";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

/** `node script args...`, killed after 90 s so that a hung party fails the test instead of hanging it. */
export function run(script: string, args: readonly string[], options: RunOptions = {}): Promise<Run> {
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

/** The last line of a `--json` run, parsed. */
/**
 * The mediator's arguments for a second-embodiment purchase of `initiation` with the lab's
 * visa-approve card, the buyer answering `confirm` when the card shows the order; JSON out.
 */
export const e2PurchaseArgs = (initiation: string, confirm: "yes" | "no") => [
  "--initiation",
  initiation,
  "--card",
  "visa-approve",
  "--pin",
  PIN,
  "--confirm",
  confirm,
  "--json",
];

export const json = (r: Run) =>
  JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as Record<string, unknown>;

/** Every name below `dir`: an empty list is a directory nothing was written to. */
export function contents(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" });
}

/** What a test may set of a new order; the rest is a mug for JPY 12800 paid by Visa. */
export interface OrderFields {
  readonly description?: string;
  readonly amount?: number;
  readonly brand?: string;
  /** The order's protocol profile; the merchant's default when absent. */
  readonly profile?: string;
}

export interface PurchaseLab {
  /** The temporary directory holding the PKI, the phone's data and the databases. */
  readonly work: string;
  readonly pki: LabPki;
  readonly phone: StartedParty;
  readonly gateway: StartedParty;
  readonly merchant: StartedParty;
  /** `host:port` of the phone's card link. */
  readonly phoneAddress: string;
  /** A fresh empty temporary directory named after `name`; the test removes it. */
  emptyDir(name: string): string;
  /** A new order in the shop's back office: its id and its initiation object's URL. */
  order(fields?: OrderFields): Promise<{ id: number; initiation: string }>;
  /** GET `route` on an admin listener (`url`) with the token; the JSON answer, which must be a 200. */
  admin(url: string, route: string): Promise<unknown>;
  /**
   * `set-mediator purchase --phone ... args`, with the pairing code given as a flag: `code`
   * another one, or null for none (the mediator then reads SETLAB_PAIRING_CODE or stdin).
   */
  purchaseCli(args: readonly string[], options?: RunOptions & { code?: string | null }): Promise<Run>;
  /** Stop the parties and remove `work`. */
  stop(): Promise<void>;
}

/**
 * Start the parties; `tempPrefix` names the temporary directories (`setlab-e1-`, ...);
 * `merchantArgs` are added to the merchant's `serve`.
 */
export async function startPurchaseLab(
  tempPrefix: string,
  options: { readonly merchantArgs?: readonly string[] } = {},
): Promise<PurchaseLab> {
  const missing = Object.entries(scripts)
    .filter(([, file]) => !fs.existsSync(file))
    .map(([name, file]) => `${name} (${path.relative(packages, file)})`);
  if (missing.length > 0)
    throw new Error(`build the packages first (npx tsc -b): missing ${missing.join(", ")}`);
  const emptyDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `${tempPrefix}${name}-`));
  const work = emptyDir("e2e");
  const parties: StartedParty[] = [];
  try {
    const pkiDir = seedLabPki(path.join(work, "pki"));
    const pki = LabPki.open(pkiDir);
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
    const adminToken = writeAdminTokenFile(tokenFile);
    const admin = ["--admin-port", "0", "--admin-token-file", tokenFile];
    const [phone, gateway] = await Promise.all([
      startParty(
        scripts.phone,
        ["serve", "--data", phoneDir, "--port", "0", "--confirm", "auto", "--pairing-code", LINK_CODE],
        { env },
      ),
      startParty(
        scripts.gateway,
        ["serve", "--pki", pkiDir, "--db", path.join(work, "gateway.db"), ...admin],
        { env },
      ),
    ]);
    parties.push(phone, gateway);
    const merchant = await startParty(
      scripts.merchant,
      [
        "serve",
        ...admin,
        "--pki",
        pkiDir,
        "--db",
        path.join(work, "merchant.db"),
        "--gateway",
        `Visa=${gateway.url}`,
        "--gateway",
        `MasterCard=${gateway.url}`,
        ...(options.merchantArgs ?? []),
      ],
      { env },
    );
    parties.push(merchant);
    const link = new URL(phone.url);
    const phoneAddress = `${link.hostname}:${link.port}`;
    return {
      work,
      pki,
      phone,
      gateway,
      merchant,
      phoneAddress,
      emptyDir,
      async order(fields = {}) {
        const res = await adminFetch({ url: merchant.adminUrl ?? "", token: adminToken }, "/orders", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            description: fields.description ?? "1 x SET Lab mug",
            amount: fields.amount ?? 12800,
            currency: 392,
            amtExp10: 0,
            brand: fields.brand ?? "Visa",
            ...(fields.profile ? { profile: fields.profile } : {}),
          }),
          signal: AbortSignal.timeout(10_000),
        });
        expect(res.status).toBe(201);
        const { id } = (await res.json()) as { id: number };
        return { id, initiation: `${merchant.url}/orders/${id}/initiation` };
      },
      async admin(url, route) {
        const res = await adminFetch({ url, token: adminToken }, route, {
          signal: AbortSignal.timeout(10_000),
        });
        expect(res.status).toBe(200);
        return res.json();
      },
      purchaseCli(args, options = {}) {
        const code =
          options.code === undefined
            ? ["--pairing-code", LINK_CODE]
            : options.code === null
              ? []
              : ["--pairing-code", options.code];
        return run(scripts.mediator, ["purchase", "--phone", phoneAddress, ...code, ...args], options);
      },
      async stop() {
        await Promise.all(parties.map((party) => party.stop()));
        fs.rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await Promise.all(parties.map((party) => party.stop()));
    fs.rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The purchase lab of one test file: started before its tests, stopped after them. Its fields
 * are there from the file's first test on (not while the file is being loaded).
 */
export function usePurchaseLab(
  tempPrefix: string,
  options: { readonly merchantArgs?: readonly string[] } = {},
): PurchaseLab {
  const lab = {} as PurchaseLab;
  let started = false;
  beforeAll(async () => {
    Object.assign(lab, await startPurchaseLab(tempPrefix, options));
    started = true;
  }, 180_000);
  afterAll(() => (started ? lab.stop() : undefined));
  return lab;
}
