/**
 * The merchant's HTTP shell (docs/purchase-flow.md, "HTTP"): order routes for the shop and the lab,
 * and the SET endpoint `POST /set`. Logs carry the order id, the XID and the lab's run id; never a
 * PAN (the merchant never sees one) nor message bytes.
 */

import { writeInitiation } from "@setlab/protocol";
import { type Logger, registerSetRoute, runIdOf, SET_PAYMENT_INITIATION } from "@setlab/runtime";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { Merchant } from "./core/merchant";
import { OrderInputError } from "./core/newOrder";
import type { MerchantFaults } from "./faults/merchantFaults";

export interface MerchantServerOptions {
  readonly merchant: Merchant;
  readonly logger: Logger;
  /** The origin the initiation object names; default: the address the server listens on. */
  readonly publicUrl?: string;
  /** Fault switches (docs/faults.md): only for a merchant started with SETLAB_ALLOW_FAULTS=1. */
  readonly faults?: MerchantFaults;
}

function orderId(req: FastifyRequest): number | undefined {
  const raw = (req.params as { id?: string }).id ?? "";
  return /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : undefined;
}

export function buildMerchantServer(options: MerchantServerOptions): FastifyInstance {
  const { merchant, logger } = options;
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    // Fastify's two lines per request ("incoming request", "request completed") were most of the
    // merchant's log volume and cost; the SET line below says what an operator needs.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request: its reqId correlates nothing the run id and XID do not, and
    // building one per request was the larger part of what logging still cost.
    childLoggerFactory: (parent) => parent,
  });
  // With request logging off fastify logs no failures either: a 5xx is logged here, then fastify
  // answers it as it would have.
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) req.log.error({ err: error, req, runId: runIdOf(req) }, "request failed");
    else req.log.debug({ err: error, req, status }, "request rejected");
    reply.send(error);
  });

  const baseUrl = (): string => {
    if (options.publicUrl) return options.publicUrl;
    const address = app.server.address();
    if (address && typeof address === "object") {
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    }
    return "http://127.0.0.1";
  };

  options.faults?.register(app);

  app.get("/health", async () => ({ status: "ok", party: "merchant", brands: merchant.brands() }));

  app.post("/orders", async (req, reply) => {
    try {
      const order = await merchant.createOrderFromJson(req.body);
      req.log.debug({ orderId: order.id, lidM: order.lidM, runId: runIdOf(req) }, "order created");
      reply.code(201);
      return { id: order.id, lidM: order.lidM, state: order.state };
    } catch (e) {
      if (!(e instanceof OrderInputError)) throw e;
      reply.code(400);
      return { error: e.message };
    }
  });

  app.get("/orders/:id", async (req, reply) => {
    const id = orderId(req);
    const view = id === undefined ? undefined : await merchant.orderView(id);
    if (!view) {
      reply.code(404);
      return { error: "no such order" };
    }
    return view;
  });

  app.get("/orders/:id/initiation", async (req, reply) => {
    const id = orderId(req);
    const order = id === undefined ? undefined : await merchant.order(id);
    if (!order) {
      reply.code(404);
      return { error: "no such order" };
    }
    reply.header("content-type", SET_PAYMENT_INITIATION);
    return writeInitiation(merchant.initiationFor(order, baseUrl()));
  });

  app.get("/orders/:id/messages", async (req, reply) => {
    const id = orderId(req);
    const order = id === undefined ? undefined : await merchant.order(id);
    if (!order) {
      reply.code(404);
      return { error: "no such order" };
    }
    return (await merchant.messages(order.id)).map((m) => ({
      seq: m.seq,
      from: m.from,
      to: m.to,
      type: m.type,
      at: m.at,
      der: Buffer.from(m.der).toString("base64"),
    }));
  });

  registerSetRoute(app, "/set", async (body, req) => {
    const started = performance.now();
    const runId = runIdOf(req);
    const outcome = await merchant.handleSet(body, runId ? { runId } : {});
    const fields = {
      runId,
      requestType: outcome.requestType,
      orderId: outcome.orderId,
      xid: outcome.xid,
      state: outcome.state,
      replayed: outcome.replayed,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ...(outcome.error ? { errorCode: outcome.error.code, reason: outcome.error.message } : {}),
    };
    if (outcome.error) req.log.warn(fields, "SET request refused");
    else req.log.info(fields, "SET request answered");
    return outcome.response;
  });

  return app;
}
