/**
 * The gateway's payment routes as a fastify plugin (docs/purchase-flow.md, "HTTP"): `POST /set`
 * takes an AuthReq or a CapReq and answers an AuthRes, a CapRes or a SET Error, `POST /set/embodiment`
 * an E1AuthReq (the patent's first embodiment), and `GET /health`. The stored
 * authorizations, the issuer simulator's accounts and the fault switches are admin routes
 * (./adminPlugin.ts), served on another listener with an access token. Encapsulated: its SET body
 * parser and error handler apply to its own routes only, under the prefix it is registered with.
 * Logs carry the XID and the run id, never a PAN.
 */
import { type Logger, registerSetRoute, runIdOf, SET_PAYMENT_EMBODIMENT } from "@setlab/runtime";
import type { FastifyError, FastifyPluginAsync, FastifyRequest } from "fastify";
import type { GatewayFaults } from "./faults/gatewayFaults";
import type { AuthReqOutcome } from "./gateway/authReqOutcome";
import type { Gateway, GatewayOutcome } from "./gateway/gateway";

export interface GatewayPluginOptions {
  readonly gateway: Gateway;
  /** Where the gateway's lines go; default the app's logger. */
  readonly logger?: Logger;
  /**
   * Fault switches (docs/faults.md): only for a gateway started with SETLAB_ALLOW_FAULTS=1. Their
   * hooks run on `POST /set` here; their routes are on the admin listener.
   */
  readonly faults?: GatewayFaults;
}

export const gatewayPlugin: FastifyPluginAsync<GatewayPluginOptions> = async (app, options) => {
  const { gateway } = options;
  const logger = options.logger ?? (app.log as unknown as Logger);
  // Fastify logs nothing itself here (the AuthReq line below is the request's line); a failure
  // that escapes a route is logged here, then answered as fastify would.
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500)
      logger.error(
        { event: "requestFailed", err: error, req, runId: runIdOf(req) },
        "request failed unexpectedly",
      );
    reply.send(error);
  });
  options.faults?.hook(app);

  registerSetRoute(app, "/set", async (body, req) => {
    const started = performance.now();
    const out = await gateway.handle(body);
    if (out.message === "AuthReq") return logAuthReq(req, out, started);
    if (out.message === "AuthRevReq") {
      observe(req, out.kind, out.authRevRRPID);
      const { authRevRRPID, authRRPID, brand, merchantID, authRevCode, errorCode, reason } = out;
      const fields = { authRevRRPID, authRRPID, brand, merchantID, authRevCode, errorCode, reason };
      return logOutcome(req, "AuthRevReq", out, fields, started);
    }
    if (out.message === "PCertReq") {
      const { pCertRRPID, merchantID, served, refused, errorCode, reason } = out;
      const fields = { pCertRRPID, merchantID, served, refused, errorCode, reason };
      return logOutcome(req, "PCertReq", out, fields, started);
    }
    if (out.message === "BatchAdminReq") {
      observe(req, out.kind, out.rrpid);
      const { rrpid, brand, merchantID, operation, batchID, batchAdminCode, errorCode, reason } = out;
      const fields = { rrpid, brand, merchantID, operation, batchID, batchAdminCode, errorCode, reason };
      return logOutcome(req, "BatchAdminReq", out, fields, started);
    }
    if (out.message === "CapReq") {
      options.faults?.observe(req, { kind: out.kind, ...(out.capRRPID ? { capRRPID: out.capRRPID } : {}) });
      const { capRRPID, brand, merchantID, captured, refused, errorCode, reason } = out;
      const fields = { capRRPID, brand, merchantID, captured, refused, errorCode, reason };
      return logOutcome(req, "CapReq", out, fields, started);
    }
    // CapRevReq, CredReq, CredRevReq
    observe(req, out.kind, out.rrpid);
    const { rrpid, brand, merchantID, booked, refused, errorCode, reason } = out;
    const fields = { rrpid, brand, merchantID, booked, refused, errorCode, reason };
    return logOutcome(req, out.message, out, fields, started);
  });

  // The patent's first embodiment: its own message, media type and route (SetLabEmbodiments.asn).
  registerSetRoute(
    app,
    "/set/embodiment",
    async (body, req) => {
      const started = performance.now();
      return logAuthReq(req, await gateway.handleE1AuthReq(body), started);
    },
    { contentType: SET_PAYMENT_EMBODIMENT },
  );

  /** A lifecycle request's outcome for the fault hooks, named by its RRPID when it was read. */
  function observe(req: FastifyRequest, kind: string, rrpid: string | undefined): void {
    options.faults?.observe(req, { kind, ...(rrpid ? { rrpid } : {}) });
  }

  function logAuthReq(req: FastifyRequest, out: AuthReqOutcome, started: number): Uint8Array {
    options.faults?.observe(req, out);
    const { xid, authRRPID, brand, merchantID, authCode, errorCode, reason } = out;
    const fields = { xid, authRRPID, brand, merchantID, authCode, errorCode, reason };
    return logOutcome(req, "AuthReq", out, fields, started);
  }

  /**
   * The request's one line: what it was, its ids and verdict, how long it took; a failure the
   * gateway did not expect at error level. Returns the answer to send.
   */
  function logOutcome(
    req: FastifyRequest,
    message: GatewayOutcome["message"],
    out: { readonly kind: string; readonly internal?: boolean; readonly response: Uint8Array },
    fields: Readonly<Record<string, unknown>>,
    started: number,
  ): Uint8Array {
    const entry = {
      // authReq, capReq, authRevReq, capRevReq, credReq, credRevReq
      event: `${message[0].toLowerCase()}${message.slice(1)}`,
      runId: runIdOf(req),
      kind: out.kind,
      ...fields,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (out.internal) logger.error(entry, `${message} failed unexpectedly`);
    else logger.info(entry, out.kind === "error" ? `${message} refused` : `${message} answered`);
    return out.response;
  }

  app.get("/health", async () => ({ status: "ok" }));
};
