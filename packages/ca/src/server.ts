/**
 * The lab CA over HTTP (fastify), a thin shell over `CaBackend`:
 *
 *   GET  /certificates/:thumb   DER certificate (application/pkix-cert)
 *   GET  /crls/:thumb           DER CRL (application/pkix-crl)
 *   GET  /bcis/:thumb           DER BrandCRLIdentifier (application/set-bci)
 *   POST /certificates          issue: JSON {ca, profile, commonName?, spki?|pkcs10? (base64)}, or a DER
 *                               body (application/pkcs10 or application/octet-stream = SPKI) with
 *                               ?ca=&profile=&commonName=; answers 201 with the DER certificate
 *
 * Thumbs are SET thumbprints (SHA-256 of the to-be-signed part) in hex. Failures are JSON
 * {code, message} with a SET ErrorCode; the HTTP status carries only the transport fact (400, 404,
 * 413 too large, 415 wrong type).
 */
import { type ErrorCode, fromHex, SetError } from "@setlab/protocol";
import { bearerTokenMatches, capConnections, fastifyServerOptions, type ServerLimits } from "@setlab/runtime";
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply } from "fastify";
import type { CaBackend, IssuanceAuthority, IssuanceRequest } from "./server/backend";
import { type ErrorBody, errorResponse } from "./server/errorBody";

export type { CaBackend, IssuanceRequest, IssuedCertificate } from "./server/backend";
export type { ErrorBody } from "./server/errorBody";

export interface CaPluginOptions {
  readonly backend: CaBackend;
  /**
   * The CA operator's token: `POST /certificates` must carry `Authorization: Bearer <token>`.
   * Without one configured, issuance over the network is refused to everyone.
   */
  readonly operatorToken?: string;
  /** Largest request body accepted, bytes. Default 64 KiB: a PKCS#10 request is about 1 KiB. */
  readonly bodyLimit?: number;
}

export interface CaServerOptions {
  /** See CaPluginOptions. */
  readonly operatorToken?: string;
  /** Largest request body accepted, bytes. Default 64 KiB: a PKCS#10 request is about 1 KiB. */
  readonly bodyLimit?: number;
  readonly logger?: boolean;
  /** Time, memory and connection bounds per client (default: runtime's defaultServerLimits). */
  readonly limits?: ServerLimits;
}

const thumbPattern = /^[0-9a-fA-F]{64}$/;

/** The stand-alone CA server that `set-ca serve` runs: the CA plugin in an app of its own. */
export function buildCaServer(backend: CaBackend, options: CaServerOptions = {}): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  const app = Fastify({
    ...fastifyServerOptions(options.limits),
    bodyLimit,
    logger: options.logger ?? false,
  });
  capConnections(app.server, options.limits);
  app.register(caPlugin, {
    backend,
    bodyLimit,
    ...(options.operatorToken ? { operatorToken: options.operatorToken } : {}),
  });
  return app;
}

/**
 * The CA's routes as an encapsulated fastify plugin: its body parsers, error and not-found handlers
 * apply under the prefix it is registered with, and nowhere else in the enclosing app.
 */
export const caPlugin: FastifyPluginAsync<CaPluginOptions> = async (app, options) => {
  const { backend } = options;
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  for (const type of ["application/pkcs10", "application/octet-stream", "application/json"]) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    if (type === "application/json")
      app.addContentTypeParser(
        type,
        { parseAs: "string", bodyLimit },
        app.getDefaultJsonParser("error", "error"),
      );
    else
      app.addContentTypeParser(type, { parseAs: "buffer", bodyLimit }, (_req, body, done) =>
        done(null, body),
      );
  }

  const fail = (reply: FastifyReply, code: ErrorCode, message: string, status?: number) => {
    const r = errorResponse(new SetError(code, message));
    return reply.code(status ?? r?.status ?? 400).send({ code, message } satisfies ErrorBody);
  };

  app.setErrorHandler((error, _req, reply) => {
    const typed = errorResponse(error);
    if (typed) return reply.code(typed.status).send(typed.body);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status === 413) return fail(reply, "messageTooBig", "request body exceeds the limit");
    if (status === 415) return fail(reply, "messageNotSupported", "unsupported content type");
    if (status < 500) return fail(reply, "decodingFailure", (error as Error).message);
    // An internal fault: say so without leaking internals.
    return reply
      .code(500)
      .send({ code: "unspecifiedFailure", message: "internal error" } satisfies ErrorBody);
  });
  app.setNotFoundHandler((req, reply) =>
    fail(reply, "messageNotSupported", `no route ${req.method} ${req.url}`, 404),
  );

  const lookup = (kind: string, find: (t: Uint8Array) => Promise<Uint8Array | undefined>, type: string) =>
    app.get<{ Params: { thumb: string } }>(`/${kind}/:thumb`, async (req, reply) => {
      const { thumb } = req.params;
      if (!thumbPattern.test(thumb))
        return fail(reply, "decodingFailure", "a thumb is 64 hex digits (SHA-256)");
      const der = await find(fromHex(thumb));
      if (!der) return fail(reply, "missingCertificate", `no ${kind.replace(/s$/, "")} with thumb ${thumb}`);
      return reply.type(type).send(Buffer.from(der));
    });
  lookup("certificates", (t) => backend.certificate(t), "application/pkix-cert");
  lookup("crls", (t) => backend.crl(t), "application/pkix-crl");
  lookup("bcis", (t) => backend.bci(t), "application/set-bci");

  app.post<{ Querystring: Record<string, string | undefined> }>("/certificates", async (req, reply) => {
    const issued = await backend.issue(
      issuanceRequest(req.headers["content-type"], req.body, req.query),
      authorityOf(req.headers.authorization, options.operatorToken),
    );
    return reply
      .code(201)
      .header("location", `/certificates/${issued.thumb}`)
      .type("application/pkix-cert")
      .send(Buffer.from(issued.der));
  });
};

/** The operator, when the request carries the operator's token (compared in constant time). */
function authorityOf(header: string | undefined, token: string | undefined): IssuanceAuthority | undefined {
  return token && bearerTokenMatches(header, token) ? { kind: "operator" } : undefined;
}

/** Read an issuance request from the body and query, refusing what is malformed. */
function issuanceRequest(
  contentType: string | undefined,
  body: unknown,
  query: Record<string, string | undefined>,
): IssuanceRequest {
  const type = (contentType ?? "").split(";")[0].trim();
  if (type === "application/json") {
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new SetError("decodingFailure", "the JSON body must be an object", "issuance request");
    const o = body as Record<string, unknown>;
    return {
      ca: text(o.ca, "ca"),
      profile: text(o.profile, "profile"),
      commonName: o.commonName === undefined ? undefined : text(o.commonName, "commonName"),
      spki: o.spki === undefined ? undefined : base64(o.spki, "spki"),
      pkcs10: o.pkcs10 === undefined ? undefined : base64(o.pkcs10, "pkcs10"),
      ...merchantOf(o.merID, o.merchantName, o.city),
      ...(flag(o.approveNewKey, "approveNewKey") ? { approveNewKey: true } : {}),
    };
  }
  if (type !== "application/pkcs10" && type !== "application/octet-stream")
    throw new SetError(
      "messageNotSupported",
      `content type ${type || "(none)"} is not accepted`,
      "issuance request",
    );
  const der = new Uint8Array(body as Buffer);
  if (der.length === 0) throw new SetError("decodingFailure", "empty body", "issuance request");
  return {
    ca: text(query.ca, "ca"),
    profile: text(query.profile, "profile"),
    commonName: query.commonName,
    ...(type === "application/pkcs10" ? { pkcs10: der } : { spki: der }),
    ...merchantOf(query.merID, query.merchantName, query.city),
    approveNewKey:
      query.approveNewKey === undefined ? false : flag(query.approveNewKey === "true", "approveNewKey"),
  };
}

function merchantOf(merID: unknown, name: unknown, city: unknown): Pick<IssuanceRequest, "merchant"> {
  if (merID === undefined && name === undefined) return {};
  return {
    merchant: {
      merID: text(merID, "merID"),
      name: text(name, "merchantName"),
      ...(city === undefined ? {} : { city: text(city, "city") }),
    },
  };
}

function flag(v: unknown, name: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean")
    throw new SetError("decodingFailure", `${name} must be true or false`, "issuance request");
  return v;
}

function text(v: unknown, name: string): string {
  if (typeof v !== "string" || v.length === 0 || v.length > 200)
    throw new SetError("decodingFailure", `${name} must be a non-empty string`, "issuance request");
  return v;
}

function base64(v: unknown, name: string): Uint8Array {
  if (typeof v !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(v) || v.length % 4 !== 0)
    throw new SetError("decodingFailure", `${name} must be base64`, "issuance request");
  return new Uint8Array(Buffer.from(v, "base64"));
}
