/**
 * The gateway as a fastify plugin (docs/purchase-flow.md, "HTTP"): `POST /set` takes an AuthReq and
 * answers an AuthRes or a SET Error; the admin routes show the stored authorizations and the
 * issuer simulator's accounts (PAN masked). Encapsulated: its SET body parser and error handler
 * apply to its own routes only, under the prefix it is registered with. Logs carry the XID and the
 * run id, never a PAN.
 */
import { type Logger, registerSetRoute, runIdOf } from "@setlab/runtime";
import type { FastifyError, FastifyPluginAsync } from "fastify";
import type { GatewayFaults } from "./faults/gatewayFaults";
import type { Gateway } from "./gateway/gateway";
import type { AccountRow, AuthorizationRow, GatewayStore } from "./store/gatewayStore";

export interface GatewayPluginOptions {
  readonly gateway: Gateway;
  readonly store: GatewayStore;
  /** Where the gateway's lines go; default the app's logger. */
  readonly logger?: Logger;
  /** Fault switches (docs/faults.md): only for a gateway started with SETLAB_ALLOW_FAULTS=1. */
  readonly faults?: GatewayFaults;
}

export { maskPan } from "./store/panVault";

/** An authorization as the admin API shows it: the stored row without the request hash and AuthRes bytes. */
export function authorizationView(a: AuthorizationRow) {
  const { requestHash: _requestHash, response: _response, ...shown } = a;
  return {
    ...shown,
    respReason: a.respReason ?? null,
    approvalCode: a.approvalCode ?? null,
    cardId: a.cardId ?? null,
  };
}

export function accountView(a: AccountRow) {
  return {
    cardId: a.cardId,
    brand: a.brand,
    pan: a.panMasked,
    outcome: a.outcome,
    currency: a.currency,
    creditLimit: a.creditLimit,
    held: a.held,
    balance: a.creditLimit - a.held,
  };
}

export const gatewayPlugin: FastifyPluginAsync<GatewayPluginOptions> = async (app, options) => {
  const { gateway, store } = options;
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
  options.faults?.register(app);

  registerSetRoute(app, "/set", async (body, req) => {
    const started = performance.now();
    const out = await gateway.handleAuthReq(body);
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
  });

  app.get("/health", async () => ({ status: "ok" }));

  app.get<{ Querystring: { xid?: string } }>("/admin/authorizations", async (req, reply) => {
    const xid = req.query.xid;
    if (typeof xid !== "string" || !/^[0-9a-fA-F]{40}$/.test(xid)) {
      reply.code(400);
      return { error: "xid must be 40 hexadecimal digits" };
    }
    return store.authorizationsByXid(xid.toLowerCase()).map(authorizationView);
  });

  app.get<{ Params: { cardId: string } }>("/admin/accounts/:cardId", async (req, reply) => {
    const account = store.account(req.params.cardId);
    if (!account) {
      reply.code(404);
      return { error: "no such account" };
    }
    return accountView(account);
  });
};
