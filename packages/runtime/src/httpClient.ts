/**
 * The HTTP client every party uses to call another party: node:http(s) with one keep-alive agent per
 * process, an overall deadline, and a response-size limit enforced while reading.
 *
 * Why not `fetch`: measured under `pnpm bench`, Node's fetch (undici behind web streams) cost the
 * browser+mediator process about a third of its CPU per purchase; node:http with keep-alive does the
 * same exchanges for a fraction of it (docs/performance.md). It also has no "bad port" list, so a
 * configured URL either works or fails as unreachable.
 */
import * as http from "node:http";
import type * as https from "node:https";

export interface HttpRequestOptions {
  readonly method?: "GET" | "POST" | "PUT" | "DELETE";
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  /** The whole exchange, connection to last byte, must finish within this (default 10 000 ms). */
  readonly timeoutMs?: number;
  /** A larger response is refused before it is read whole (default 1 MiB). */
  readonly maxResponseBytes?: number;
}

export interface HttpResponse {
  readonly status: number;
  /** The media type of the response, lower case, without parameters ("" when absent). */
  readonly contentType: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export class HttpClientError extends Error {
  override readonly name = "HttpClientError";
  constructor(
    readonly kind: "timeout" | "unreachable" | "tooLarge" | "badUrl",
    message: string,
    /** The peer refused the connection: the request cannot have reached it. */
    readonly refused = false,
  ) {
    super(message);
  }
}

const defaultMaxResponseBytes = 1024 * 1024;

/**
 * One keep-alive agent per scheme and process: connections between parties are reused. An idle
 * connection is closed after 4 s, or sooner when the server's Keep-Alive hint says so, before the
 * parties' own servers drop it (30 s), so a reused connection is rarely a stale one.
 */
const agentOptions = {
  keepAlive: true,
  maxSockets: 256,
  maxFreeSockets: 64,
  scheduling: "lifo",
  timeout: 4000,
} as const;
const plain = { request: http.request, agent: new http.Agent(agentOptions) } as const;
/**
 * node:https and its agent, loaded on the first https request: every party and the mediator's
 * command line talk plain http on loopback, and loading TLS costs a command line run about 4 ms.
 */
let tls: { readonly request: typeof https.request; readonly agent: https.Agent } | undefined;
function httpsTransport(): { readonly request: typeof https.request; readonly agent: https.Agent } {
  if (!tls) {
    const module: typeof https = require("node:https");
    tls = { request: module.request, agent: new module.Agent(agentOptions) };
  }
  return tls;
}

/** Make one request; resolve with the whole response, whatever its status. */
export async function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new HttpClientError("badUrl", `not a URL: ${JSON.stringify(url)}`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:")
    throw new HttpClientError("badUrl", `not an http or https URL: ${url}`);
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  // A keep-alive connection the server closed while idle fails on first use with a reset before any
  // answer. A GET is sent again (after a peer restart every idle connection is stale: the last try
  // takes a new connection outside the pool). A POST is not: the reset may have come after the
  // server took it, and whether to send it again is the caller's policy (the merchant's gateway
  // client retries with the same bytes; SET answers a repeat from storage).
  if ((options.method ?? "GET") !== "GET") return attempt(target, url, options, deadline, true);
  for (let i = 0; i < 3; i++) {
    try {
      return await attempt(target, url, options, deadline, true);
    } catch (e) {
      if (!(e instanceof StaleConnection)) throw e;
    }
  }
  return attempt(target, url, options, deadline, false);
}

class StaleConnection extends Error {}

function attempt(
  target: URL,
  url: string,
  options: HttpRequestOptions,
  deadline: number,
  pooled: boolean,
): Promise<HttpResponse> {
  const limit = options.maxResponseBytes ?? defaultMaxResponseBytes;
  // A view on the caller's bytes, not a copy (a SET message is written once, as it is).
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? Buffer.from(options.body, "utf8")
        : Buffer.from(options.body.buffer, options.body.byteOffset, options.body.byteLength);
  const headers: Record<string, string | number> = { ...options.headers };
  if (body) headers["content-length"] = body.length;
  const transport = target.protocol === "https:" ? httpsTransport() : plain;
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, value?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(value as HttpResponse);
    };
    const req = transport.request(
      target,
      { method: options.method ?? "GET", headers, agent: pooled ? transport.agent : false },
      (res) => {
        const declared = Number(res.headers["content-length"] ?? "0");
        if (declared > limit) {
          res.destroy();
          finish(
            new HttpClientError("tooLarge", `${url} sent a response of ${declared} bytes, over ${limit}`),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let total = 0;
        res.on("data", (chunk: Buffer) => {
          total += chunk.length;
          if (total > limit) {
            res.destroy();
            finish(new HttpClientError("tooLarge", `${url} sent a response over ${limit} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () =>
          finish(undefined, {
            status: res.statusCode ?? 0,
            contentType: mediaType(res.headers["content-type"]),
            headers: res.headers,
            body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total),
          }),
        );
        res.on("error", (e) => finish(unreachable(url, e)));
      },
    );
    const timer = setTimeout(
      () =>
        finish(
          new HttpClientError("timeout", `no answer from ${url} within ${options.timeoutMs ?? 10_000} ms`),
        ),
      Math.max(0, deadline - Date.now()),
    );
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (req.reusedSocket && e.code === "ECONNRESET" && !settled && (options.method ?? "GET") === "GET") {
        settled = true;
        clearTimeout(timer);
        reject(new StaleConnection());
        return;
      }
      finish(unreachable(url, e));
    });
    req.end(body);
  });
}

function unreachable(url: string, e: NodeJS.ErrnoException): HttpClientError {
  const why = e.code ? `${e.message} (${e.code})` : e.message;
  return new HttpClientError("unreachable", `cannot reach ${url}: ${why}`, e.code === "ECONNREFUSED");
}

function mediaType(header: string | undefined): string {
  if (!header) return "";
  const semi = header.indexOf(";");
  return (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
}
