/**
 * The merchant's payment routes as a fastify plugin: `app.register(merchantPlugin, { merchant })`
 * gives a shop's own fastify app what buyers reach (docs/purchase-flow.md, "HTTP"): `POST /set`,
 * `POST /set/embodiment` (the patent's first embodiment), an order's initiation object and its
 * minimal status, under the prefix it registers them with.
 * Creating orders and inspecting them (details, stored messages) and the fault switches are the
 * shop's back office: ./adminPlugin.ts, served on another listener with an access token. The plugin
 * is encapsulated: its content-type parser for SET messages, its error handler and its routes stay
 * inside it and do not touch the shop's other routes.
 *
 * It also runs what a running merchant must run besides answering requests: start-up recovery of
 * orders a stopped process left in `authorizing` and of lifecycle requests left waiting for the
 * gateway's answer (when the app is ready), and the periodic settling of authorizations in doubt
 * and of those waiting requests (stopped when the app closes).
 *
 * Logs carry the order id, the XID and the lab's run id; never a PAN (under SET the merchant never
 * sees one; under the first embodiment it does and logs none of it) nor message bytes.
 */

import { writeInitiation } from "@setlab/protocol";
import { registerSetRoute, runIdOf, SET_PAYMENT_EMBODIMENT, SET_PAYMENT_INITIATION } from "@setlab/runtime";
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyRequest } from "fastify";
import { checkEndpointUrl } from "./core/endpointUrl";
import type { Merchant } from "./core/merchant";
import { getOrderRoute } from "./orderRoute";
import { testCards } from "./testCards";

export interface MerchantPluginOptions {
  readonly merchant: Merchant;
  /**
   * The origin (scheme, host, port) buyers reach the app at; the initiation object names
   * `<publicUrl><prefix>/set`. Default: the address the app listens on.
   */
  readonly publicUrl?: string;
  /**
   * How often authorizations in doubt and lifecycle requests waiting for the gateway's answer are
   * sent again (ms, default 5000); `false`: never.
   */
  readonly settleEveryMs?: number | false;
  /**
   * Finish orders left in `authorizing`, and lifecycle requests left waiting for the gateway's
   * answer, when the app is ready (default true).
   */
  readonly resumeOnReady?: boolean;
  /**
   * Ask each brand's gateway for its current key-exchange certificate when the app is ready
   * (PCertReq; `Merchant.refreshGatewayCertificates`); the configured one stays until a fetched one
   * passes the trust checks, and whenever the fetch fails. Default false: configuration only.
   */
  readonly fetchGatewayCertificates?: boolean;
}

export const merchantPlugin: FastifyPluginAsync<MerchantPluginOptions> = async (app, options) => {
  const { merchant } = options;
  const prefix = app.prefix;
  // A publicUrl no buyer could reach fails the registration, like every configuration error.
  if (options.publicUrl) checkEndpointUrl(options.publicUrl, "publicUrl");
  merchant.onListenerError ??= (err, event) =>
    app.log.error({ err, eventId: event.id, eventType: event.type }, "an order event listener failed");

  // With request logging off (as the stand-alone server runs) fastify logs no failures either: a 5xx
  // is logged here, then answered as fastify would have.
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) req.log.error({ err: error, req, runId: runIdOf(req) }, "request failed");
    else req.log.debug({ err: error, req, status }, "request rejected");
    reply.send(error);
  });

  const baseUrl = (): string => {
    if (options.publicUrl) return `${options.publicUrl.replace(/\/+$/, "")}${prefix}`;
    const address = app.server.address();
    if (address && typeof address === "object") {
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}${prefix}`;
    }
    return `http://127.0.0.1${prefix}`;
  };

  registerOrderRoutes(app, merchant, baseUrl);

  const answer =
    (handle: (body: Uint8Array, call: { runId?: string }) => ReturnType<Merchant["handleSet"]>) =>
    async (body: Uint8Array, req: FastifyRequest) => {
      const started = performance.now();
      const runId = runIdOf(req);
      const outcome = await handle(body, runId ? { runId } : {});
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
    };
  registerSetRoute(
    app,
    "/set",
    answer((body, call) => merchant.handleSet(body, call)),
  );
  // The patent's first embodiment: its own messages, media type and route (SetLabEmbodiments.asn).
  registerSetRoute(
    app,
    "/set/embodiment",
    answer((body, call) => merchant.handleEmbodiment(body, call)),
    {
      contentType: SET_PAYMENT_EMBODIMENT,
    },
  );

  runRecovery(app, options);
};

function registerOrderRoutes(app: FastifyInstance, merchant: Merchant, baseUrl: () => string): void {
  app.get("/health", async () => ({
    status: "ok",
    party: "merchant",
    brands: merchant.brands(),
    ...(merchant.testMode ? { testMode: true } : {}),
  }));

  // What the shop's result page needs; the full order is on the admin listener.
  getOrderRoute(app, "/orders/:id/status", (id) => merchant.orderStatus(id));

  getOrderRoute(
    app,
    "/orders/:id/initiation",
    (id) => merchant.order(id),
    (order, reply) => {
      reply.header("content-type", SET_PAYMENT_INITIATION);
      return writeInitiation(merchant.initiationFor(order, baseUrl()));
    },
  );
}

/**
 * Crash safety: orders a stopped process left in `authorizing` are finished when the app is ready
 * (same AuthReq bytes), and so are the lifecycle requests (CapReq, AuthRevReq, CredReq, ...) left
 * waiting for the gateway's answer (same bytes). Authorizations in doubt (no usable answer, yet the
 * gateway may have decided) and requests still waiting are sent again every `settleEveryMs`,
 * until the gateway's answer is recorded.
 */
function runRecovery(app: FastifyInstance, options: MerchantPluginOptions): void {
  const { merchant } = options;
  const log = app.log;
  let settleTimer: NodeJS.Timeout | undefined;
  let settling: Promise<void> | undefined;
  const webhooks = webhookDelivery(app, merchant);
  // Ids and outcomes only: the reports carry no card data, keys or message bytes.
  const finishWaiting = () =>
    merchant
      .finishWaitingRequests()
      .then((reports) => {
        for (const r of reports)
          if (r.finished) log.info({ event: "lifecycleRequestFinished", ...r }, "waiting request answered");
          else log.warn({ event: "lifecycleRequestWaiting", ...r }, "waiting request still without answer");
      })
      .catch((e: unknown) => log.error({ err: e }, "finishing waiting requests failed"));
  app.addHook("onReady", async () => {
    if (merchant.testMode)
      app.log.info(
        { event: "testMode", testCards: testCards.map((c) => `${c.id}: ${c.outcome}`) },
        "test mode: outcomes follow the lab's test cards",
      );
    webhooks.start();
    if (options.fetchGatewayCertificates)
      void merchant.refreshGatewayCertificates().then((reports) => {
        for (const r of reports)
          log[r.result === "kept" ? "warn" : "info"](
            { event: "gatewayCertificate", ...r },
            r.result === "kept"
              ? "gateway certificate kept from configuration"
              : "gateway certificate fetched",
          );
      });
    if (options.resumeOnReady !== false) {
      void merchant.resumeAuthorizations().then((resumed) => {
        for (const r of resumed)
          log[r.error ? "warn" : "info"](
            { event: "authorizationResumed", ...r },
            "interrupted authorization resumed",
          );
      });
      void finishWaiting();
    }
    const every = options.settleEveryMs ?? 5000;
    if (every === false) return;
    settleTimer = setInterval(() => {
      if (settling) return;
      // Side by side: a slow gateway answer to a waiting request does not hold up the settling.
      const settleInDoubt = async () => {
        for (const r of await merchant.settleInDoubt())
          if (r.error || r.state !== "authorizing")
            log[r.error ? "warn" : "info"](
              { event: "authorizationSettled", ...r },
              "in-doubt authorization settled",
            );
      };
      settling = Promise.all([finishWaiting(), settleInDoubt()])
        .then(() => undefined)
        .catch((e: unknown) => log.error({ err: e }, "settling authorizations in doubt failed"))
        .finally(() => {
          settling = undefined;
        });
    }, every);
    settleTimer.unref();
  });
  app.addHook("onClose", async () => {
    if (settleTimer) clearInterval(settleTimer);
    await settling;
    await webhooks.stop();
  });
}

/**
 * The webhook outbox, delivered in the background: at once when events are committed, and at the
 * time the next retry is due (the store knows it, so after a restart too). One delivery run at a
 * time; stopped when the app closes.
 */
function webhookDelivery(app: FastifyInstance, merchant: Merchant): { start(): void; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const run = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    running = (async () => {
      do {
        again = false;
        for (const r of await merchant.deliverWebhooks())
          if (!r.delivered)
            app.log[r.gaveUp ? "error" : "warn"](
              { event: "webhookFailed", eventId: r.eventId, error: r.error, gaveUp: r.gaveUp ?? false },
              r.gaveUp ? "webhook given up" : "webhook not delivered; retried later",
            );
      } while (again && !stopped);
      const next = await merchant.nextWebhookAt();
      if (next && !stopped) {
        timer = setTimeout(run, Math.max(0, Date.parse(next) - Date.now()));
        timer.unref();
      }
    })()
      .catch((e: unknown) => app.log.error({ err: e }, "webhook delivery failed"))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    start() {
      if (!merchant.sendsWebhooks) return;
      merchant.whenEventsCommitted(run);
      run();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
