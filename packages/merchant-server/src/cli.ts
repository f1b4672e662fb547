#!/usr/bin/env node
/**
 * set-merchant: the merchant server as a process.
 *
 *   set-merchant serve --pki DIR --db FILE --gateway Visa=URL [--gateway MasterCard=URL]
 *                      [--port 0] [--host 127.0.0.1] [--passphrase setlab] [--merchant-id ID]
 *                      [--settle-every 5000] [--gateway-timeout 5000]
 *                      [--e2-card-info session-key|card-company] [--capture-now]
 *                      [--admin-port N --admin-token-file FILE [--admin-host 127.0.0.1]]
 *
 * The key passphrase is --passphrase, else the SETLAB_PASSPHRASE environment variable, else the
 * lab default. Authorizations in doubt are settled every --settle-every milliseconds.
 * --gateway-timeout is how long one attempt to reach the gateway may take, and the spacing of the
 * attempts (three in all, the same bytes each time).
 * --e2-card-info chooses how the second embodiment asks for the card information (claims 7-8):
 * under the session key (the default) or sealed to the gateway's certificate (card-company).
 * --capture-now makes the merchant sell: every AuthReq asks for CaptureNow, and an approval is
 * captured with it (for goods delivered at checkout).
 *
 * The back office (creating orders, order details and messages, fault switches) is served only
 * with --admin-port, on that second listener (loopback by default), to requests that carry the
 * bearer token held in the 0600 file --admin-token-file names.
 *
 * Announces readiness with one stdout line {"event":"listening","party":"merchant",...} (with
 * "adminUrl" when the admin listener runs); logs pino
 * JSON on stderr. Bad arguments (with the usage) or a failure to start (an unreadable PKI, a port in
 * use) are one line on stderr and exit code 2.
 */
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
import { type CapRevOrCredCommand, parseCapRevOrCred, runCapRevOrCred } from "./capRevOrCredCommand";
import { parseCapture, runCapture } from "./captureCommand";
import { parseCloseBatch, runCloseBatch } from "./closeBatchCommand";
import { Merchant } from "./core/merchant";
import { MerchantFaults } from "./faults/merchantFaults";
import { HttpGatewayClient } from "./httpGatewayClient";
import { labMerchantConfig } from "./labMerchantConfig";
import { parseReverse, runReverse } from "./reverseCommand";
import { buildMerchantAdminServer, buildMerchantServer } from "./server";
import { SqliteRepository } from "./store/sqliteRepository";

const usage = `usage: set-merchant serve --pki DIR --db FILE --gateway BRAND=URL [--gateway BRAND=URL ...]
                          [--port 0] [--host 127.0.0.1] [--passphrase setlab] [--merchant-id ID]
                          [--settle-every 5000] [--gateway-timeout 5000]
                          [--gateway-certificates config|fetch]
                          [--e2-card-info session-key|card-company] [--capture-now]
                          [--admin-port N --admin-token-file FILE [--admin-host 127.0.0.1]]
       set-merchant capture --admin-url URL --admin-token-file FILE ORDER [AMOUNT [AMTEXP10]]
                          [--authorization N]
                          capture an order's authorization (all of it, or AMOUNT x 10^AMTEXP10;
                          --authorization N: the purchase's Nth, a split shipment's part);
                          exit 0 when captured, 1 when not
       set-merchant reverse --admin-url URL --admin-token-file FILE ORDER [AMOUNT [AMTEXP10]]
                          [--authorization N]
                          reverse an order's uncaptured authorization (cancel it, or reduce it
                          to AMOUNT x 10^AMTEXP10); exit 0 when the gateway approved, 1 when not
       set-merchant refund|reverse-capture|reverse-refund --admin-url URL --admin-token-file FILE
                          ORDER [AMOUNT [AMTEXP10]] [--credit ID] [--idempotency-key KEY]
                          [--authorization N] [--batch N]
                          credit the capture, reverse the whole capture (no AMOUNT), or take back a
                          credit (--credit, else the last), of the purchase's first authorization or
                          its Nth, into the open batch or batch N; exit 0 when done, 1 when not
       set-merchant close-batch --admin-url URL --admin-token-file FILE [BATCH] [--idempotency-key KEY]
                          close the open batch (or BATCH) at the gateway: its sales, credits and
                          net per brand and currency; exit 0 when closed, 1 when not
  key passphrase: --passphrase, else $SETLAB_PASSPHRASE, else the lab default "setlab"`;

/** Every failure to start exits 2, as an argument error does. */
const program: CliProgram = { name: "set-merchant", usage, failureCode: 2 };

interface ServeArgs {
  pki: string;
  db: string;
  gateways: [string, string][];
  port: number;
  host: string;
  passphrase?: string;
  merchantId?: string;
  settleEveryMs: number;
  /** One attempt to reach the gateway, and the spacing of the attempts (HttpGatewayClient). */
  gatewayTimeoutMs: number;
  /** `fetch`: ask each gateway for its certificate at start-up (PCertReq), configuration the fallback. */
  gatewayCertificates?: "config" | "fetch";
  embodiment2CardInfo?: "sessionKey" | "cardCompany";
  /** A sale per purchase: every AuthReq asks for CaptureNow. */
  captureNow?: boolean;
  admin?: AdminListener;
}

function parseServe(argv: string[]): ServeArgs {
  const out: Partial<ServeArgs> & { gateways: [string, string][] } = { gateways: [] };
  const admin: { port?: string; host?: string; tokenFile?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--capture-now") {
      out.captureNow = true;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    i++;
    switch (flag) {
      case "--pki":
        out.pki = value;
        break;
      case "--db":
        out.db = value;
        break;
      case "--gateway": {
        const m = /^([A-Za-z][A-Za-z0-9]*)=(https?:\/\/.+)$/.exec(value);
        if (!m) throw new UsageError(`--gateway takes BRAND=URL, not ${value}`);
        const url = m[2].replace(/\/+$/, "");
        out.gateways.push([m[1], url.endsWith("/set") ? url : `${url}/set`]);
        break;
      }
      case "--port": {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`bad --port ${value}`);
        out.port = port;
        break;
      }
      case "--host":
        out.host = value;
        break;
      case "--passphrase":
        out.passphrase = value;
        break;
      case "--merchant-id":
        out.merchantId = value;
        break;
      case "--settle-every": {
        const ms = Number(value);
        if (!Number.isInteger(ms) || ms < 100 || ms > 3_600_000)
          throw new UsageError(`--settle-every takes 100..3600000 milliseconds, not ${value}`);
        out.settleEveryMs = ms;
        break;
      }
      case "--gateway-timeout": {
        const ms = Number(value);
        if (!Number.isInteger(ms) || ms < 100 || ms > 120_000)
          throw new UsageError(`--gateway-timeout takes 100..120000 milliseconds, not ${value}`);
        out.gatewayTimeoutMs = ms;
        break;
      }
      case "--gateway-certificates":
        if (value !== "config" && value !== "fetch")
          throw new UsageError(`--gateway-certificates takes config or fetch, not ${value}`);
        out.gatewayCertificates = value;
        break;
      case "--e2-card-info":
        if (value !== "session-key" && value !== "card-company")
          throw new UsageError(`--e2-card-info takes session-key or card-company, not ${value}`);
        out.embodiment2CardInfo = value === "card-company" ? "cardCompany" : "sessionKey";
        break;
      case "--admin-port":
        admin.port = value;
        break;
      case "--admin-host":
        admin.host = value;
        break;
      case "--admin-token-file":
        admin.tokenFile = value;
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (!out.pki) throw new UsageError("--pki is required");
  if (!out.db) throw new UsageError("--db is required");
  if (out.gateways.length === 0) throw new UsageError("at least one --gateway BRAND=URL is required");
  const adminListener = adminListenerFromArgs(admin);
  if (adminListener) out.admin = adminListener;
  return { port: 0, host: "127.0.0.1", settleEveryMs: 5000, gatewayTimeoutMs: 5000, ...out } as ServeArgs;
}

async function serve(args: ServeArgs): Promise<void> {
  const party = PartyDirectory.open("merchant", args);
  const { logger, provider: p, pki, adminToken } = party;
  const revocation = await party.followRevocation();
  const labConfig = await labMerchantConfig(p, pki, {
    revocation,
    brands: args.gateways.map(([b]) => b),
    passphrase: args.passphrase ?? keyPassphrase(),
    ...(args.merchantId ? { merchantID: args.merchantId } : {}),
  });
  const config = {
    ...labConfig,
    ...(args.embodiment2CardInfo ? { embodiment2CardInfo: args.embodiment2CardInfo } : {}),
    ...(args.captureNow ? { captureNow: true } : {}),
  };
  const repo = new SqliteRepository(args.db);
  const faults = party.faultsAllowed() ? new MerchantFaults(logger) : undefined;
  const httpGateway = new HttpGatewayClient(Object.fromEntries(args.gateways), {
    timeoutMs: args.gatewayTimeoutMs,
  });
  const merchant = new Merchant({
    p,
    repo,
    config,
    gateway: faults ? faults.wrap(httpGateway) : httpGateway,
  });
  await serveParty("merchant", logger, {
    app: buildMerchantServer({
      merchant,
      logger,
      settleEveryMs: args.settleEveryMs,
      fetchGatewayCertificates: args.gatewayCertificates === "fetch",
    }),
    port: args.port,
    host: args.host,
    ...(args.admin && adminToken !== undefined
      ? {
          admin: {
            app: buildMerchantAdminServer({
              merchant,
              logger,
              token: adminToken,
              ...(faults ? { faults } : {}),
            }),
            listener: args.admin,
          },
        }
      : {}),
    details: {
      brands: merchant.brands(),
      merchantID: config.merchantID,
      ...(config.captureNow ? { captureNow: true } : {}),
    },
    close: async () => {
      revocation.close();
      await repo.close();
    },
  });
}

function main(argv: string[]): Promise<number> {
  return runCli(program, async () => {
    const [command, ...rest] = argv;
    if (command === "--help" || command === "-h" || command === "help") {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if (command === "capture")
      return runCapture(parseCapture(rest), (line) => process.stdout.write(`${line}\n`));
    if (command === "close-batch")
      return runCloseBatch(parseCloseBatch(rest), (line) => process.stdout.write(`${line}\n`));
    if (command === "reverse")
      return runReverse(parseReverse(rest), (line) => process.stdout.write(`${line}\n`));
    if (command === "refund" || command === "reverse-capture" || command === "reverse-refund")
      return runCapRevOrCred(parseCapRevOrCred(command as CapRevOrCredCommand, rest), (line) =>
        process.stdout.write(`${line}\n`),
      );
    if (command !== "serve") throw new UsageError(command ? `unknown command ${command}` : "no command");
    await serve(parseServe(rest));
    return 0;
  });
}

runMain(main);
