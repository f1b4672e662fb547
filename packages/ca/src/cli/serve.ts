/** `set-ca serve --dir DIR --port N`: the CA server over a lab PKI directory, until SIGINT/SIGTERM. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CliIo } from "@setlab/runtime";
import { AdminTokenError, readAdminTokenFile, writeAdminTokenFile } from "@setlab/runtime";
import { buildCaServer } from "../server";
import { pkiBackend } from "../server/pkiBackend";
import { integerOption, optionalString, parse, required } from "./args";
import { CliFailure } from "./cliFailure";
import { dirOptions, passphraseOf } from "./passphrase";
import { PkiDirectory } from "./pkiDirectory";

export const serveUsage =
  "set-ca serve --dir DIR [--port N (default 8400, 0 = any)] [--host 127.0.0.1] [--token-file FILE (default DIR/ca-operator.token)]";

export async function serve(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse(
    "serve",
    args,
    { ...dirOptions, port: { type: "string" }, host: { type: "string" }, "token-file": { type: "string" } },
    {
      min: 0,
      max: 0,
    },
  );
  const dir = required(parsed, "serve", "dir");
  const port = integerOption(parsed, "serve", "port", { min: 0, max: 65535, fallback: 8400 });
  const host = optionalString(parsed, "host") ?? "127.0.0.1";
  const tokenFile = optionalString(parsed, "token-file") ?? path.join(dir, "ca-operator.token");
  const operatorToken = readOrCreateToken(tokenFile);
  const pki = await PkiDirectory.open(dir, passphraseOf(parsed));
  const app = buildCaServer(pkiBackend(pki), { operatorToken });
  let address: string;
  try {
    address = await app.listen({ port, host });
  } catch (e) {
    pki.close();
    throw new CliFailure(
      `cannot listen on ${host}:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  io.out(`set-ca: serving ${dir} on ${address}\nset-ca: issuing needs the operator token in ${tokenFile}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await app.close();
  pki.close();
  return 0;
}

/**
 * The operator token: read from an owner-only file, or made (32 random bytes, base64url) into a new
 * one. It never travels on a command line; a file others can read is refused.
 */
export function readOrCreateToken(file: string): string {
  try {
    if (!fs.existsSync(file)) writeAdminTokenFile(file);
    return readAdminTokenFile(file);
  } catch (e) {
    if (e instanceof AdminTokenError) throw new CliFailure(`operator token: ${e.message}`);
    throw e;
  }
}
