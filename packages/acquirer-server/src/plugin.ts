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
import type { AuthReqOutcome } from "./gateway/authReqOutcome";
import type { GatewayFaults } from "./faults/gatewayFaults";
import type { Gateway } from "./gateway/gateway";

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
    if (out.message === "CapReq") {
      const entry = {
        event: "capReq",
        runId: runIdOf(req),
        kind: out.kind,
        capRRPID: out.capRRPID,
        brand: out.brand,
        merchantID: out.merchantID,
        captured: out.captured,
        refused: out.refused,
        errorCode: out.errorCode,
        reason: out.reason,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
      if (out.internal) logger.error(entry, "CapReq failed unexpectedly");
      else logger.info(entry, out.kind === "error" ? "CapReq refused" : "CapReq answered");
      return out.response;
    }
    return logAuthReq(req, out, started);
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

  function logAuthReq(req: FastifyRequest, out: AuthReqOutcome, started: number): Uint8Array {
    options.faults?.observe(req, out);
    const entry = {
      event: "authReq",
      runId: runIdOf(req),
      kind: out.kind,
      xid: out.xid,
      authRRPID: out.authRRPID,
      brand: out.brand,
      merchantID: out.merchantID,
      authCode: out.authCode,
      errorCode: out.errorCode,
      reason: out.reason,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (out.internal) logger.error(entry, "AuthReq failed unexpectedly");
    else logger.info(entry, out.kind === "error" ? "AuthReq refused" : "AuthReq answered");
    return out.response;
  }

  app.get("/health", async () => ({ status: "ok" }));
};
