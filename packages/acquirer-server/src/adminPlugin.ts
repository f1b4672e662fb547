/**
 * The gateway's admin routes as a fastify plugin (docs/purchase-flow.md, "HTTP"): the stored
 * authorizations of an XID (with the gateway's card id), the issuer simulator's accounts (PAN
 * masked), the ledger of a capture, the settlement report of a closed batch (docs/lifecycle.md) and the fault switches
 * (`/admin/faults`). Together with the merchant's order details they would let anyone join an
 * order to a card, so every request must carry the access token (runtime's
 * `requireAdminToken`); the stand-alone server serves this plugin on its own listener, never beside
 * `POST /set`.
 */
import { registerFaultRoutes, requireAdminToken } from "@setlab/runtime";
import type { FastifyPluginAsync } from "fastify";
import { parseGatewayFaultPlan } from "./faults/faultPlan";
import type { GatewayFaults } from "./faults/gatewayFaults";
import { settlementReport, settlementTable } from "./gateway/settlementReport";
import type { AccountRow, AuthorizationRow, GatewayStore } from "./store/gatewayStore";

export interface GatewayAdminPluginOptions {
  readonly store: GatewayStore;
  /** The bearer token every request must carry (runtime's `readAdminTokenFile`). */
  readonly token: string;
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
    /** What captures have posted to the account, less the credits standing (reversed captures post nothing). */
    posted: a.posted ?? 0,
    balance: a.creditLimit - a.held - (a.posted ?? 0),
  };
}

export const gatewayAdminPlugin: FastifyPluginAsync<GatewayAdminPluginOptions> = async (app, options) => {
  const { store } = options;
  requireAdminToken(app, options.token);
  if (options.faults) registerFaultRoutes(app, options.faults, parseGatewayFaultPlan);

  app.get<{ Querystring: { xid?: string } }>("/admin/authorizations", async (req, reply) => {
    const xid = req.query.xid;
    if (typeof xid !== "string" || !/^[0-9a-fA-F]{40}$/.test(xid)) {
      reply.code(400);
      return { error: "xid must be 40 hexadecimal digits" };
    }
    return store.authorizationsByXid(xid.toLowerCase()).map(authorizationView);
  });

  // The issuer's back office releasing a hold the merchant will not take (README, "Holds").
  app.post<{ Params: { authRRPID: string } }>(
    "/admin/authorizations/:authRRPID/release",
    async (req, reply) => {
      const authRRPID = req.params.authRRPID.toLowerCase();
      if (!/^[0-9a-f]{40}$/.test(authRRPID)) {
        reply.code(400);
        return { error: "the AuthRRPID must be 40 hexadecimal digits" };
      }
      if (!store.authorization(authRRPID)) {
        reply.code(404);
        return { error: "no such authorization" };
      }
      if (!(await store.releaseHold(authRRPID, new Date()))) {
        reply.code(409);
        return { error: "the authorization holds nothing (declined, lapsed or released)" };
      }
      return authorizationView(store.authorization(authRRPID)!);
    },
  );

  // The ledger of one capture: what was captured and every credit, credit reversal and capture
  // reversal booked against it, each once (docs/lifecycle.md, "After the capture").
  app.get<{ Params: { authRRPID: string } }>("/admin/captures/:authRRPID", async (req, reply) => {
    const authRRPID = req.params.authRRPID.toLowerCase();
    if (!/^[0-9a-f]{40}$/.test(authRRPID)) {
      reply.code(400);
      return { error: "the AuthRRPID must be 40 hexadecimal digits" };
    }
    const standing = store.captureStanding(authRRPID);
    if (!standing) {
      reply.code(404);
      return { error: "no capture of this authorization" };
    }
    return {
      authRRPID,
      amount: Number(standing.amount),
      currency: standing.currency,
      reversed: standing.reversed,
      credited: Number(standing.credited),
      creditReversed: Number(standing.creditReversed),
      booked: standing.booked,
    };
  });

  // A closed batch's settlement report: JSON, or with ?format=table the table a person reads.
  app.get<{ Params: { merchantID: string; batchID: string }; Querystring: { format?: string } }>(
    "/admin/batches/:merchantID/:batchID/settlement",
    async (req, reply) => {
      const batchID = Number(req.params.batchID);
      if (!/^[1-9][0-9]{0,9}$/.test(req.params.batchID) || batchID > 2147483647) {
        reply.code(400);
        return { error: "the batch id must be an integer from 1" };
      }
      const { merchantID } = req.params;
      const batch = store.batch(merchantID, batchID);
      if (!batch) {
        reply.code(404);
        return { error: "no such batch" };
      }
      if (batch.closed === undefined) {
        reply.code(409);
        return { error: "the batch is open: it is settled once closed" };
      }
      const report = settlementReport(
        { ...batch, closed: batch.closed },
        store.batchTotals(merchantID, batchID),
        store.batchItems(merchantID, batchID),
      );
      if (req.query.format !== "table") return report;
      reply.type("text/plain; charset=utf-8");
      return settlementTable(report);
    },
  );

  app.get<{ Params: { cardId: string } }>("/admin/accounts/:cardId", async (req, reply) => {
    const account = store.account(req.params.cardId);
    if (!account) {
      reply.code(404);
      return { error: "no such account" };
    }
    return accountView(account);
  });
};
