/**
 * The merchant's back office as a fastify plugin (docs/purchase-flow.md, "HTTP"): creating orders
 * (`POST /orders`), an order's details with its history and authorization (`GET /orders/:id`),
 * every message stored for it (`GET /orders/:id/messages`), capturing its authorization
 * (`POST /orders/:id/capture`, all of it or `{amount, amtExp10?}`), reversing it while uncaptured
 * (`POST /orders/:id/reverse-authorization`, `{}` or `{amount, amtExp10?}`), a later authorization
 * of its purchase with the AuthToken (`POST /orders/:id/authorize`, `{amount, amtExp10?}`),
 * refunding and reversing after the capture (./capRevOrCredRoutes.ts), capturing many orders at
 * once and the settlement batches (./batchRoutes.ts) and the fault switches
 * (`/admin/faults`). None of this is for buyers: the details carry the cardholder's stable hashed
 * account id and the XID, which would let anyone join orders to the gateway's records. Every
 * request must carry the access token (runtime's `requireAdminToken`); the stand-alone server
 * serves this plugin on its own listener, never beside the payment routes.
 */
import { registerFaultRoutes, requireAdminToken, runIdOf } from "@setlab/runtime";
import type { FastifyPluginAsync } from "fastify";
import { registerBatchRoutes } from "./batchRoutes";
import { registerCapRevOrCredRoutes } from "./capRevOrCredRoutes";
import { parseReversalBody, ReversalInputError } from "./core/authReversal";
import { CaptureInputError, parseCaptureBody } from "./core/capture";
import type { Merchant } from "./core/merchant";
import { OrderInputError } from "./core/newOrder";
import { OrderStateError } from "./core/orderState";
import { SubsequentAuthorizationInputError } from "./core/subsequentAuthorization";
import { parseMerchantFaultPlan } from "./faults/merchantFaultPlan";
import type { MerchantFaults } from "./faults/merchantFaults";
import { orderAmountRoute } from "./orderAmountRoute";
import { getOrderRoute, orderId } from "./orderRoute";

export interface MerchantAdminPluginOptions {
  readonly merchant: Merchant;
  /** The bearer token every request must carry (runtime's `readAdminTokenFile`). */
  readonly token: string;
  /** Fault switches (docs/faults.md): only for a merchant started with SETLAB_ALLOW_FAULTS=1. */
  readonly faults?: MerchantFaults;
}

export const merchantAdminPlugin: FastifyPluginAsync<MerchantAdminPluginOptions> = async (app, options) => {
  const { merchant } = options;
  requireAdminToken(app, options.token);
  if (options.faults) registerFaultRoutes(app, options.faults, parseMerchantFaultPlan);

  // The shop's back office creates the order; the buyer only fetches its initiation object.
  app.post("/orders", async (req, reply) => {
    try {
      const key = req.headers["idempotency-key"];
      const order = await merchant.createOrderFromJson(
        req.body,
        typeof key === "string" ? { idempotencyKey: key } : {},
      );
      req.log.debug({ orderId: order.id, lidM: order.lidM, runId: runIdOf(req) }, "order created");
      reply.code(201);
      return { id: order.id, lidM: order.lidM, state: order.state };
    } catch (e) {
      if (!(e instanceof OrderInputError)) throw e;
      reply.code(e.code === "idempotencyKeyReused" ? 409 : 400);
      return { error: e.message, code: e.code };
    }
  });

  getOrderRoute(app, "/orders/:id", (id) => merchant.orderView(id));
  getOrderRoute(app, "/orders/:id/inquiry", (id) => merchant.inquire(id));

  // 200 with the order after the gateway's answer (its state says whether it was captured); 400 an
  // amount the merchant refuses, 409 an order that is not authorized (or already captured).
  // `{authorization: n}` captures a later authorization of the purchase (a split shipment's part). An
  // `Idempotency-Key` header makes a repeat act once (and answer the order as it is).
  orderAmountRoute(app, merchant, "/orders/:id/capture", {
    parse: parseCaptureBody,
    act: (id, options, call) => merchant.capture(id, options, call),
    InputError: CaptureInputError,
    refuseAuthorization: (message) => new CaptureInputError("invalidBody", message),
  });

  registerBatchRoutes(app, merchant);
  // POST /orders/:id/refund, /reverse-capture, /reverse-refund
  registerCapRevOrCredRoutes(app, merchant);
  // Reverse the order's uncaptured authorization: `{}` cancels it, `{amount, amtExp10?}` reduces it
  // to that amount; an `Idempotency-Key` header makes a repeat act once. 200 with the order after
  // the gateway's answer (`reversed`, or its state with the lower AuthAmt; a refusal leaves it and
  // says why in authorization.reversal); 400 an amount the merchant refuses, 409 an order that is
  // not an uncaptured authorization. `{authorization: n}` reverses a later authorization.
  orderAmountRoute(app, merchant, "/orders/:id/reverse-authorization", {
    parse: parseReversalBody,
    act: (id, options, call) => merchant.reverseAuthorization(id, options, call),
    InputError: ReversalInputError,
    refuseAuthorization: (message) => new ReversalInputError("noSuchAuthorization", message),
  });

  // A later authorization of the purchase: `{amount, amtExp10?}` in the order's currency, an
  // optional Idempotency-Key header. 200 with the order after the gateway's answer; 400 what the
  // merchant refuses (no AuthToken, a bad amount), 409 an order not authorized or a key reused.
  app.post("/orders/:id/authorize", async (req, reply) => {
    const id = orderId(req);
    const order = id === undefined ? undefined : await merchant.order(id);
    if (id === undefined || !order) {
      reply.code(404);
      return { error: "no such order" };
    }
    try {
      const amount = parseCaptureBody(req.body, order.purchAmt.currency);
      if (!amount) throw new CaptureInputError("invalidAmount", "an amount is required");
      const key = req.headers["idempotency-key"];
      await merchant.authorizeSubsequent(
        id,
        { amount, ...(typeof key === "string" ? { idempotencyKey: key } : {}) },
        { runId: runIdOf(req) },
      );
      return await merchant.orderView(id);
    } catch (e) {
      if (e instanceof CaptureInputError) reply.code(400);
      else if (e instanceof SubsequentAuthorizationInputError)
        reply.code(e.code === "idempotencyKeyReused" ? 409 : e.code === "noSuchOrder" ? 404 : 400);
      else if (e instanceof OrderStateError) reply.code(409);
      else throw e;
      return { error: e.message };
    }
  });

  getOrderRoute(
    app,
    "/orders/:id/events",
    (id) => merchant.order(id),
    (order) => merchant.events(order.id),
  );

  getOrderRoute(
    app,
    "/orders/:id/messages",
    (id) => merchant.order(id),
    async (order) =>
      (await merchant.messages(order.id)).map((m) => ({
        seq: m.seq,
        from: m.from,
        to: m.to,
        type: m.type,
        at: m.at,
        der: Buffer.from(m.der).toString("base64"),
      })),
  );
};
