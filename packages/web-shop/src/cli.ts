#!/usr/bin/env node
/**
 * set-web-shop: the reference shop as a process.
 *
 *   set-web-shop serve --pki DIR --db FILE --gateway BRAND=URL [--gateway BRAND=URL ...]
 *                      [--port 8080] [--host 127.0.0.1] [--public-url URL] [--profiles set,hardened,embodiment-1,embodiment-2]
 *
 * Announces readiness with one stdout line {"event":"listening","party":"web-shop",...}; logs
 * pino JSON on stderr. Bad arguments or a failure to start are one line on stderr and exit 2.
 */
import { parseArgs } from "node:util";
import { type InitiationProfile, initiationProfiles } from "@setlab/protocol";
import {
  announceListening,
  type CliProgram,
  createLogger,
  runCli,
  runMain,
  UsageError,
} from "@setlab/runtime";
import { openShopMerchant } from "./labShopMerchant";
import { buildWebShop } from "./webShop";

const usage = `usage: set-web-shop serve --pki DIR --db FILE --gateway BRAND=URL [--gateway BRAND=URL ...]
                          [--port 8080] [--host 127.0.0.1] [--public-url URL] [--profiles set,hardened,embodiment-1,embodiment-2]
  key passphrase: $SETLAB_PASSPHRASE, else the lab default`;

const program: CliProgram = { name: "set-web-shop", usage, failureCode: 2 };

export interface ServeArgs {
  readonly pki: string;
  readonly db: string;
  readonly gateways: Record<string, string>;
  readonly port: number;
  readonly host: string;
  readonly publicUrl?: string;
  readonly profiles: InitiationProfile[];
}

export function parseServe(argv: readonly string[]): ServeArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      pki: { type: "string" },
      db: { type: "string" },
      gateway: { type: "string", multiple: true },
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      "public-url": { type: "string" },
      profiles: { type: "string", default: "set" },
    },
  });
  if (!values.pki) throw new UsageError("--pki is required");
  if (!values.db) throw new UsageError("--db is required");
  const gateways: Record<string, string> = {};
  for (const g of values.gateway ?? []) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(https?:\/\/.+)$/.exec(g);
    if (!m) throw new UsageError(`--gateway takes BRAND=URL, not ${g}`);
    const url = m[2].replace(/\/+$/, "");
    gateways[m[1]] = url.endsWith("/set") ? url : `${url}/set`;
  }
  if (Object.keys(gateways).length === 0)
    throw new UsageError("at least one --gateway BRAND=URL is required");
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`bad --port ${values.port}`);
  const profiles = values.profiles.split(",").map((p) => p.trim());
  for (const p of profiles)
    if (!initiationProfiles.includes(p as InitiationProfile))
      throw new UsageError(`--profiles takes a list of ${initiationProfiles.join(", ")}, not "${p}"`);
  if (values["public-url"] !== undefined && !/^https?:\/\/[^/]+$/.test(values["public-url"]))
    throw new UsageError("--public-url must be an origin such as http://shop.example:8080");
  return {
    pki: values.pki,
    db: values.db,
    gateways,
    port,
    host: values.host,
    profiles: profiles as InitiationProfile[],
    ...(values["public-url"] ? { publicUrl: values["public-url"] } : {}),
  };
}

async function serve(args: ServeArgs): Promise<void> {
  const logger = createLogger("web-shop");
  const shop = await openShopMerchant({ pki: args.pki, db: args.db, gateways: args.gateways, logger });
  const app = buildWebShop({
    merchant: shop.merchant,
    profiles: args.profiles,
    logger,
    ...(args.publicUrl ? { publicUrl: args.publicUrl } : {}),
  });
  const url = await app.listen({ port: args.port, host: args.host });
  logger.info({ url, brands: shop.merchant.brands() }, "web shop listening");
  announceListening("web-shop", url);
  const stop = async () => {
    await app.close();
    await shop.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

function main(argv: string[]): Promise<number> {
  return runCli(program, async () => {
    const [command, ...rest] = argv;
    if (command === "--help" || command === "-h" || command === "help") {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if (command !== "serve") throw new UsageError(command ? `unknown command ${command}` : "no command");
    await serve(parseServe(rest));
    return 0;
  });
}

if (require.main === module) runMain(main);
