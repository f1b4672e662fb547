/**
 * SET over HTTP (DESIGN section 5): a DER MessageWrapper in a POST body with a SET media type; the
 * response body is the response message or a SET Error. HTTP status codes carry transport facts
 * only: 413 for a body over the limit, 415 for another content type.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpClientError, type HttpResponse, httpRequest } from "./httpClient";

export const SET_PAYMENT = "application/set-payment";
export const SET_REGISTRATION = "application/set-registration";
export const SET_PAYMENT_INITIATION = "application/set-payment-initiation";
/**
 * An order page's inquiry marker (no body is ever sent with it): the SET extension starts the
 * mediator for the card's InqReq about the purchase the marker names.
 */
export const SET_PAYMENT_INQUIRY = "application/set-payment-inquiry";
/** The patent's first embodiment, which is not SET: its own messages (SetLabEmbodiments.asn). */
export const SET_PAYMENT_EMBODIMENT = "application/set-payment-embodiment";

/**
 * The documented largest SET message a party accepts: 256 KiB (a PReq with chains is about 10 KiB).
 * The card link sizes its frames from the same figure (protocol's MAX_SET_MESSAGE; a test keeps
 * them equal without making every user of the runtime load the protocol library).
 */
export const defaultSetBodyLimit = 256 * 1024;

/** The header that carries the lab's run id through every hop, for log correlation. */
export const RUN_ID_HEADER = "x-setlab-run-id";

export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(
    readonly kind: "timeout" | "unreachable" | "httpStatus" | "contentType" | "tooLarge",
    message: string,
    readonly status?: number,
    /** The peer refused the connection: the request cannot have reached it. */
    readonly refused = false,
  ) {
    super(message);
  }
}

export interface PostSetOptions {
  /** Abort after this many milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  readonly runId?: string;
  readonly contentType?: string;
}

/** POST one SET message; resolve with the response bytes (a response message or a SET Error). */
export async function postSet(
  url: string,
  der: Uint8Array,
  options: PostSetOptions = {},
): Promise<Uint8Array> {
  const headers: Record<string, string> = { "content-type": options.contentType ?? SET_PAYMENT };
  if (options.runId) headers[RUN_ID_HEADER] = options.runId;
  let res: HttpResponse;
  try {
    res = await httpRequest(url, {
      method: "POST",
      headers,
      body: der,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxResponseBytes: defaultSetBodyLimit,
    });
  } catch (e) {
    if (!(e instanceof HttpClientError)) throw e;
    if (e.kind === "timeout") throw new TransportError("timeout", e.message);
    if (e.kind === "tooLarge") throw new TransportError("tooLarge", e.message);
    throw new TransportError("unreachable", e.message, undefined, e.refused);
  }
  if (res.status !== 200)
    throw new TransportError("httpStatus", `${url} answered HTTP ${res.status}`, res.status);
  // An embodiment message is answered with one: a SET media type is not its answer, nor the reverse.
  const expected =
    options.contentType === SET_PAYMENT_EMBODIMENT
      ? [SET_PAYMENT_EMBODIMENT]
      : [SET_PAYMENT, SET_REGISTRATION];
  if (!expected.includes(res.contentType))
    throw new TransportError("contentType", `${url} answered with content type "${res.contentType}"`);
  return new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength);
}

export type SetHandler = (body: Uint8Array, request: FastifyRequest) => Promise<Uint8Array>;

/** The SET media types each fastify context (an app or an encapsulated plugin) already parses as bytes. */
const parsingContexts = new WeakMap<FastifyInstance, Set<string>>();

/**
 * Accept `application/set-payment` bodies (as bytes) in `app`'s context and route POSTs at `path`
 * to `handler`. Other content types get 415 and bodies over `bodyLimit` get 413, from fastify itself.
 * A parser for the type that the context inherited from an enclosing app (a shop's own) is replaced
 * in this context only: encapsulation keeps the enclosing app's parser for its own routes.
 */
export function registerSetRoute(
  app: FastifyInstance,
  path: string,
  handler: SetHandler,
  options: { bodyLimit?: number; contentType?: string } = {},
): void {
  const type = options.contentType ?? SET_PAYMENT;
  const parsed = parsingContexts.get(app) ?? new Set<string>();
  if (!parsed.has(type)) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(
      type,
      { parseAs: "buffer", bodyLimit: options.bodyLimit ?? defaultSetBodyLimit },
      (_req, body, done) => done(null, body),
    );
    parsed.add(type);
    parsingContexts.set(app, parsed);
  }
  app.post(
    path,
    { bodyLimit: options.bodyLimit ?? defaultSetBodyLimit },
    async (req: FastifyRequest, reply: FastifyReply) => {
      // Another SET type parsed in this context (a route beside this one) is not this route's.
      const sent = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
      if (!Buffer.isBuffer(req.body) || sent !== type) {
        reply.code(415);
        return { error: `expected ${type}` };
      }
      const out = await handler(new Uint8Array(req.body), req);
      reply.header("content-type", type);
      return Buffer.from(out);
    },
  );
}

/** The run id of a request, if the caller sent one. */
export function runIdOf(req: FastifyRequest): string | undefined {
  const v = req.headers[RUN_ID_HEADER];
  return typeof v === "string" && /^[A-Za-z0-9._-]{1,64}$/.test(v) ? v : undefined;
}
