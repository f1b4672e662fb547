#!/usr/bin/env node
/**
 * `set-gateway serve --pki DIR --db FILE [--port 0] [--host 127.0.0.1] [--passphrase P]
 * [--require-hardened BRAND,...] [--enrolled FILE] [--hold-hours H] [--partial-hold-hours H]
 * [--admin-port N --admin-token-file FILE [--admin-host 127.0.0.1]]`:
 * the payment gateway and its issuer simulator. A mistake in the call exits 2, a failure to start
 * exits 1, each with one line on stderr; once listening, one JSON line on stdout (with "adminUrl"
 * when the admin listener runs). The key passphrase is --passphrase, else the SETLAB_PASSPHRASE
 * environment variable, else "setlab". The admin routes (authorizations, accounts, fault switches)
 * are served only with --admin-port, on that second listener (loopback by default), to requests
 * that carry the bearer token held in the 0600 file --admin-token-file names. --enrolled names a JSON
 * file of BrandID -> enrolled merIDs (default: every merchant certificate of the PKI).
 * --hold-hours and --partial-hold-hours are how long the issuer simulator holds an approval
 * (default 168) and a partial approval (default 24) against the account.
 */
import * as fs from "node:fs";
import { ValidatedChainCache } from "@setlab/protocol";
import {
  type AdminListener,
  adminListenerFromArgs,
  type CliProgram,
  keyPassphrase,
  PartyDirectory,
  runCli,
  runMain,
  serveParty,
  UsageError,
} from "@setlab/runtime";
import { AuthResForger } from "./faults/badSignature";
import { randomSourceFromEnv } from "./faults/faultDecision";
import { GatewayFaults, skewedProvider } from "./faults/gatewayFaults";
import { parseEnrolledMerchants } from "./gateway/enrolledMerchants";
import { Gateway } from "./gateway/gateway";
import { accountsFrom, enrolledMerchantsFrom, gatewayKeysFrom, gatewayTrustFrom } from "./gatewayPki";
import { buildGatewayAdminServer, buildGatewayServer } from "./server";
import { GatewayStore } from "./store/gatewayStore";

export const usage =
  "usage: set-gateway serve --pki DIR --db FILE [--port N] [--host 127.0.0.1] [--passphrase P] [--require-hardened BRAND,...] [--enrolled FILE] [--hold-hours H] [--partial-hold-hours H] [--admin-port N --admin-token-file FILE [--admin-host 127.0.0.1]]";

const program: CliProgram = { name: "set-gateway", usage };

export interface ServeArgs {
  readonly pki: string;
  readonly db: string;
  readonly port: number;
  readonly host: string;
  readonly passphrase: string;
  /** Brands whose PIs must carry the hardened ProfileBinding (policy `hardenedRequired`). */
  readonly requireHardened: readonly string[];
  /** Where the admin routes are served; absent: nowhere. */
  readonly admin?: AdminListener;
  /** JSON file of BrandID -> enrolled merIDs; absent: every merchant certificate of the PKI. */
  readonly enrolled?: string;
  /** Hold lifetimes (policy `holdLifetimeMs`, `partialHoldLifetimeMs`); absent: the defaults. */
  readonly holdLifetimeMs?: number;
  readonly partialHoldLifetimeMs?: number;
}

/** A lifetime in hours (a positive number, fractions allowed) as milliseconds. */
function hoursOption(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const hours = Number(text);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || !(hours > 0))
    throw new UsageError(`${flag} takes a number of hours above 0, not "${text}"`);
  return Math.round(hours * 3600_000);
}

export function parseServeArgs(args: readonly string[]): ServeArgs {
  const known = new Set([
    "--pki",
    "--db",
    "--port",
    "--host",
    "--passphrase",
    "--require-hardened",
    "--admin-port",
    "--admin-host",
    "--admin-token-file",
    "--enrolled",
    "--hold-hours",
    "--partial-hold-hours",
  ]);
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i];
    if (!known.has(flag)) throw new UsageError(`unknown option "${flag}"`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    if (values.has(flag)) throw new UsageError(`${flag} given twice`);
    values.set(flag, value);
  }
  const pki = values.get("--pki");
  const db = values.get("--db");
  if (!pki) throw new UsageError("--pki DIR is required");
  if (!db) throw new UsageError("--db FILE is required");
  const portText = values.get("--port") ?? "0";
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535)
    throw new UsageError(`--port must be 0-65535, not "${portText}"`);
  const hardenedText = values.get("--require-hardened");
  const requireHardened = hardenedText === undefined ? [] : hardenedText.split(",");
  if (requireHardened.some((b) => !/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/.test(b)))
    throw new UsageError(`--require-hardened takes BrandIDs separated by commas, not "${hardenedText}"`);
  const admin = adminListenerFromArgs({
    port: values.get("--admin-port"),
    host: values.get("--admin-host"),
    tokenFile: values.get("--admin-token-file"),
  });
  const holdLifetimeMs = hoursOption("--hold-hours", values.get("--hold-hours"));
  const partialHoldLifetimeMs = hoursOption("--partial-hold-hours", values.get("--partial-hold-hours"));
  return {
    pki,
    db,
    port: Number(portText),
    host: values.get("--host") ?? "127.0.0.1",
    passphrase: values.get("--passphrase") ?? keyPassphrase(),
    requireHardened,
    ...(admin ? { admin } : {}),
    ...(values.has("--enrolled") ? { enrolled: values.get("--enrolled") } : {}),
    ...(holdLifetimeMs !== undefined ? { holdLifetimeMs } : {}),
    ...(partialHoldLifetimeMs !== undefined ? { partialHoldLifetimeMs } : {}),
  };
}

export async function serve(args: ServeArgs): Promise<void> {
  const party = PartyDirectory.open("gateway", args);
  const { logger, provider: base, pki, adminToken } = party;
  const keys = await gatewayKeysFrom(pki, base, args.passphrase);
  const served = keys.map((k) => k.brand);
  const unknown = args.requireHardened.filter((b) => !served.includes(b));
  if (unknown.length > 0)
    throw new Error(
      `--require-hardened names ${unknown.join(", ")}; this gateway serves ${served.join(", ")}`,
    );
  // Read before anything starts, so that a bad file is the one line of a failure to start.
  const enrolled =
    args.enrolled === undefined
      ? enrolledMerchantsFrom(pki)
      : parseEnrolledMerchants(fs.readFileSync(args.enrolled, "utf8"));
  const store = GatewayStore.open(
    args.db,
    args.passphrase === undefined ? {} : { passphrase: args.passphrase },
  );
  store.seedAccounts(accountsFrom(pki));
  // The pinned root, the CA certificates and each brand's current BCI and CRLs: revocation is
  // checked, against what the CA publishes into the directory within one poll interval.
  const revocation = await party.followRevocation();
  const trustAnchors = gatewayTrustFrom(pki, revocation);
  const faults = party.faultsAllowed()
    ? new GatewayFaults({
        logger,
        store,
        random: randomSourceFromEnv(),
        forger: new AuthResForger({ provider: base, keys, trust: trustAnchors }),
      })
    : undefined;
  const provider = faults ? skewedProvider(base, () => faults.skewMs()) : base;
  const gateway = new Gateway({
    provider,
    keys,
    // Chains already accepted (merchant's, cardholders') are not re-validated; signatures always are.
    trust: { ...trustAnchors, chainCache: new ValidatedChainCache() },
    store,
    enrolled,
    ...(faults ? { scheduleAdvanceMs: () => faults.scheduleAdvanceMs() } : {}),
    policy: {
      hardenedRequired: args.requireHardened,
      ...(args.holdLifetimeMs !== undefined ? { holdLifetimeMs: args.holdLifetimeMs } : {}),
      ...(args.partialHoldLifetimeMs !== undefined
        ? { partialHoldLifetimeMs: args.partialHoldLifetimeMs }
        : {}),
    },
  });
  await serveParty("gateway", logger, {
    app: buildGatewayServer({ gateway, logger, ...(faults ? { faults } : {}) }),
    port: args.port,
    host: args.host,
    ...(args.admin && adminToken !== undefined
      ? {
          admin: {
            app: buildGatewayAdminServer({ store, token: adminToken, ...(faults ? { faults } : {}) }),
            listener: args.admin,
          },
        }
      : {}),
    details: { brands: served, hardenedRequired: args.requireHardened },
    close: () => {
      revocation.close();
      store.close();
    },
  });
}

export function main(argv: readonly string[]): Promise<number> {
  return runCli(program, async () => {
    const [command, ...rest] = argv;
    if (command !== "serve")
      throw new UsageError(command ? `unknown command "${command}"` : "missing command");
    await serve(parseServeArgs(rest));
    return 0;
  });
}

if (require.main === module) runMain(main);
