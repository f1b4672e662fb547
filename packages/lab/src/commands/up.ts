/**
 * `set-lab up`: seed a lab PKI (with `set-ca init`) unless one is there, then start the gateway,
 * the merchant and the phone as separate background processes on loopback, and record them in
 * the state file. The merchant and the gateway also serve their admin routes (order details,
 * messages, authorizations, fault switches) on a second loopback listener, behind the bearer token
 * in HOME/admin-token (0600); the lab's tools read the URLs and the token's file from the state.
 */
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeAdminTokenFile, writeOwnerOnlyFile } from "@setlab/runtime";
import {
  isAlive,
  LabFailure,
  type LabState,
  pairingCodeFile,
  readState,
  stateFile,
  writeState,
} from "../labState";
import { partyScripts } from "../paths";
import { spawnParty, stopProcess } from "../processes";

export interface UpOptions {
  readonly home: string;
  /** A PKI directory made by `set-ca init`; default HOME/pki, created when missing. */
  readonly pki?: string;
  readonly pin?: string;
  /** The card link's pairing code (6 digits); default a fresh random one. */
  readonly pairingCode?: string;
  /** Environment for the parties (fault switches, log level). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The phone confirms each purchase after this long (`set-phone --confirm-after-ms`), as a person
   * reading it would: the browser's "confirm on your phone" step can be seen. Default 0.
   */
  readonly phoneConfirmAfterMs?: number;
  /** The merchant sells (`set-merchant serve --capture-now`): each approval is captured at once. */
  readonly captureNow?: boolean;
  /**
   * How long one attempt of the merchant to reach the gateway may take, and the spacing of its three
   * attempts (`set-merchant serve --gateway-timeout`; default 5000). Tests of gateway faults and
   * crashes use a shorter one so that a retry does not cost them 5 s.
   */
  readonly gatewayTimeoutMs?: number;
  /** How often the merchant settles authorizations in doubt (`--settle-every`; default 5000). */
  readonly settleEveryMs?: number;
  readonly log?: (line: string) => void;
}

export const defaultPin = "1234";

export async function up(options: UpOptions): Promise<LabState> {
  const home = path.resolve(options.home);
  const say = options.log ?? (() => {});
  if (fs.existsSync(stateFile(home))) {
    const old = readState(home);
    if (Object.values(old.parties).some((p) => isAlive(p.pid)))
      throw new LabFailure(`a lab is already running from ${home} (\`pnpm lab status\`, \`pnpm lab down\`)`);
  }
  fs.mkdirSync(path.join(home, "logs"), { recursive: true, mode: 0o700 });
  // A lab party honours fault switches (docs/faults.md); production runs never set this.
  const env = { ...process.env, SETLAB_ALLOW_FAULTS: "1", ...options.env };
  const pki = path.resolve(options.pki ?? path.join(home, "pki"));
  if (!fs.existsSync(path.join(pki, "manifest.json"))) {
    say(`seeding a lab PKI in ${pki} (set-ca init)`);
    // The same environment as the parties: a passphrase set there (SETLAB_PASSPHRASE) seals the keys.
    const r = spawnSync(process.execPath, [partyScripts.ca, "init", "--out", pki], { encoding: "utf8", env });
    if (r.status !== 0) throw new LabFailure(`set-ca init failed: ${(r.stderr || r.stdout).trim()}`);
  }
  const pin = options.pin ?? defaultPin;
  const pairingCode = options.pairingCode ?? String(randomInt(0, 1_000_000)).padStart(6, "0");
  if (!/^[0-9]{6}$/.test(pairingCode)) throw new LabFailure("the pairing code must be 6 digits");
  const files = (name: string) => ({
    out: path.join(home, "logs", `${name}.out`),
    log: path.join(home, "logs", `${name}.log`),
  });
  // A fresh token per lab: a token of an earlier lab opens nothing.
  const adminTokenFile = path.join(home, "admin-token");
  writeAdminTokenFile(adminTokenFile);
  const adminArgs = ["--admin-port", "0", "--admin-token-file", adminTokenFile];
  const started: number[] = [];
  try {
    const gatewayDb = path.join(home, "gateway.sqlite");
    const gatewayArgv = ["serve", "--pki", pki, "--db", gatewayDb, "--port", "0", ...adminArgs];
    const gateway = await spawnParty("gateway", partyScripts.gateway, gatewayArgv, files("gateway"), env);
    started.push(gateway.pid);
    say(`gateway  ${gateway.url}  pid ${gateway.pid}`);

    const merchantDb = path.join(home, "merchant.sqlite");
    const gatewaySet = `${gateway.url.replace(/\/$/, "")}/set`;
    const merchantArgv = [
      "serve",
      "--pki",
      pki,
      "--db",
      merchantDb,
      "--gateway",
      `Visa=${gatewaySet}`,
      "--gateway",
      `MasterCard=${gatewaySet}`,
      "--port",
      "0",
      ...(options.captureNow ? ["--capture-now"] : []),
      ...(options.gatewayTimeoutMs !== undefined
        ? ["--gateway-timeout", String(options.gatewayTimeoutMs)]
        : []),
      ...(options.settleEveryMs !== undefined ? ["--settle-every", String(options.settleEveryMs)] : []),
      ...adminArgs,
    ];
    const merchant = await spawnParty(
      "merchant",
      partyScripts.merchant,
      merchantArgv,
      files("merchant"),
      env,
    );
    started.push(merchant.pid);
    say(`merchant ${merchant.url}  pid ${merchant.pid}`);

    const phoneData = path.join(home, "phone");
    if (!fs.existsSync(phoneData) || fs.readdirSync(phoneData).length === 0) {
      // The PIN goes in the environment, which only this user can read, never on a command line.
      const r = spawnSync(
        process.execPath,
        [partyScripts.phone, "personalize", "--pki", pki, "--data", phoneData],
        { encoding: "utf8", env: { ...env, SETLAB_PIN: pin } },
      );
      if (r.status !== 0)
        throw new LabFailure(`card personalization failed: ${(r.stderr || r.stdout).trim()}`);
    }
    // The code in an owner-only file, not on the command line; `restart` starts the phone with the
    // same arguments, so the same file.
    const codeFile = pairingCodeFile(home);
    writeOwnerOnlyFile(codeFile, `${pairingCode}\n`);
    const phoneArgv = [
      "serve",
      "--data",
      phoneData,
      "--port",
      "0",
      "--confirm",
      "auto",
      ...(options.phoneConfirmAfterMs ? ["--confirm-after-ms", String(options.phoneConfirmAfterMs)] : []),
      "--pairing-code-file",
      codeFile,
    ];
    const phone = await spawnParty("phone", partyScripts.phone, phoneArgv, files("phone"), env);
    started.push(phone.pid);
    say(`phone    ${phone.url}  pid ${phone.pid}`);

    const state: LabState = {
      format: "setlab-lab/1",
      started: new Date().toISOString(),
      pki,
      phoneData,
      pin,
      pairingCodeFile: codeFile,
      adminTokenFile,
      parties: {
        gateway: { ...gateway, db: gatewayDb, argv: gatewayArgv },
        merchant: { ...merchant, db: merchantDb, argv: merchantArgv },
        phone: { ...phone, argv: phoneArgv },
      },
    };
    writeState(home, state);
    return state;
  } catch (e) {
    await Promise.all(started.map((pid) => stopProcess(pid)));
    throw e;
  }
}
