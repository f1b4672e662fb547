/**
 * The admin listener's access token (docs/threat-model.md, "Inspection and admin routes"): order
 * details, stored messages, the gateway's authorizations and accounts and the fault switches are
 * served on a second listener, never on the payment one, and every request there must carry
 * `Authorization: Bearer <token>`. The token is read from a 0600 file, never from the command line
 * (which every local user can read).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { UsageError } from "./cliRunner";
import { writeOwnerOnlyFile } from "./ownerOnly";

/** Where a party serves its admin routes; without it they are not served at all. */
export interface AdminListener {
  readonly port: number;
  /** Default loopback: the admin routes are for the operator on the same machine. */
  readonly host: string;
  readonly tokenFile: string;
}

/** A token file that is missing, readable by others or holds no usable token. */
export class AdminTokenError extends Error {
  override readonly name = "AdminTokenError";
}

/** 32 random bytes, base64url: 43 characters. Shorter tokens are refused as guessable. */
const minTokenLength = 32;
const tokenPattern = /^[A-Za-z0-9._~+/=-]+$/;

/** Create `file` (mode 0600) with a fresh token and return the token. */
export function writeAdminTokenFile(file: string): string {
  const token = randomBytes(32).toString("base64url");
  writeOwnerOnlyFile(file, `${token}\n`);
  return token;
}

/** The token in `file`; refused unless the file is the owner's alone (no group or other bits). */
export function readAdminTokenFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new AdminTokenError(`admin token file ${file} cannot be read`);
  }
  if (!stat.isFile()) throw new AdminTokenError(`admin token file ${file} is not a file`);
  if ((stat.mode & 0o077) !== 0)
    throw new AdminTokenError(
      `admin token file ${file} has mode ${(stat.mode & 0o777).toString(8)}; it must be 0600`,
    );
  const token = fs.readFileSync(file, "utf8").trim();
  if (token.length < minTokenLength || !tokenPattern.test(token))
    throw new AdminTokenError(
      `admin token file ${file} must hold one token of at least ${minTokenLength} characters`,
    );
  return token;
}

/** `{ authorization: "Bearer <token>" }`, for the lab's tools that read the admin routes. */
export function adminHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/**
 * Compare digests, not the strings: equal-length inputs for `timingSafeEqual`, so neither the
 * token's characters nor its length show in the time a refusal takes.
 */
function sameToken(given: string, expected: Uint8Array): boolean {
  return timingSafeEqual(createHash("sha256").update(given, "utf8").digest(), expected);
}

/** Whether an Authorization header carries `token` as a bearer token (scheme in any case). */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  // The scheme name is case-insensitive (RFC 9110, section 11.1).
  const given = typeof header === "string" && /^bearer /i.test(header) ? header.slice(7) : "";
  return sameToken(given, createHash("sha256").update(token, "utf8").digest());
}

/**
 * Refuse every request of `app` (and of the plugins registered inside it) that does not carry the
 * token: 401 with `WWW-Authenticate: Bearer`, before the body is read or a route runs.
 */
export function requireAdminToken(app: FastifyInstance, token: string): void {
  if (token.length < minTokenLength) throw new AdminTokenError("the admin token is too short");
  const expected = createHash("sha256").update(token, "utf8").digest();
  app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization;
    // The scheme name is case-insensitive (RFC 9110, section 11.1).
    const given = typeof header === "string" && /^bearer /i.test(header) ? header.slice(7) : "";
    if (sameToken(given, expected)) return;
    reply
      .code(401)
      .header("www-authenticate", 'Bearer realm="setlab-admin"')
      .send({ error: "admin token required" });
    return reply;
  });
}

/**
 * The admin listener from the CLI's `--admin-port`, `--admin-host` and `--admin-token-file`:
 * undefined when `--admin-port` is absent (the routes are then not served), a UsageError when the
 * options do not go together.
 */
export function adminListenerFromArgs(args: {
  port?: string;
  host?: string;
  tokenFile?: string;
}): AdminListener | undefined {
  if (args.port === undefined) {
    if (args.host !== undefined || args.tokenFile !== undefined)
      throw new UsageError("--admin-host and --admin-token-file need --admin-port");
    return undefined;
  }
  if (!/^[0-9]{1,5}$/.test(args.port) || Number(args.port) > 65535)
    throw new UsageError(`--admin-port must be 0-65535, not "${args.port}"`);
  if (args.tokenFile === undefined) throw new UsageError("--admin-port needs --admin-token-file FILE");
  return { port: Number(args.port), host: args.host ?? "127.0.0.1", tokenFile: args.tokenFile };
}

/** What a tool needs to read a party's admin routes: the admin listener's URL and the token. */
export interface AdminAccess {
  readonly url: string;
  readonly token: string;
}

/** `fetch` of `route` (from `/`) on the admin listener, with the token. */
export function adminFetch(access: AdminAccess, route: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${access.url.replace(/\/+$/, "")}${route}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string> | undefined), ...adminHeaders(access.token) },
  });
}
