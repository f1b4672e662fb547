/**
 * The merchant SDK: orders, their initiation objects, and the SET endpoint (PInitReq -> PInitRes,
 * PReq -> PRes, InqReq -> InqRes), over an injected repository, gateway client and crypto provider. No sockets, no
 * files: a Node server embeds it behind its own routes (this package's fastify shell is one).
 *
 * Protocol failures are answered with a SET Error (digest 3.8); an incoming Error is recorded and
 * never answered with an Error: `handleSet` then returns an empty answer.
 */

import { createHash } from "node:crypto";
import {
  type CapRevOrCredKind,
  type CryptoProvider,
  errorMessage,
  type Initiation,
  isErrorMessage,
  oiDataOf,
  type ReadMessage,
  readMessage,
  receiveError,
  SetError,
  schema,
  toHex,
} from "@setlab/protocol";
import { eventingRepository } from "../events/eventingRepository";
import type { OrderEvent, OrderEventListener, OrderEventType } from "../events/orderEvent";
import { type DeliveryReport, deliverDueWebhooks, type WebhookOptions } from "../events/webhookDelivery";
import { minWebhookSecretLength } from "../events/webhookSignature";
import type { MerchantRepository } from "../store/repository";
import { type ReverseAuthorizationOptions, reverseAuthorization } from "./authReversal";
import { type BatchAdminOptions, type BatchView, batchAdmin } from "./batchAdmin";
import { type CapRevOrCredOptions, capRevOrCredOrder } from "./capRevOrCred";
import { type CaptureOptions, captureOrder } from "./capture";
import {
  type CaptureManyItem,
  type CaptureManyOptions,
  type CaptureManyResult,
  captureMany,
} from "./captureMany";
import { type CallContext, type MerchantContext, requestHash, type SetOutcome } from "./context";
import { E1Requests } from "./e1Requests";
import { handleEmbodiment1 } from "./embodiment1Handler";
import type { E2Request } from "./embodiment2Handler";
import { checkEndpointUrl, MerchantConfigurationError } from "./endpointUrl";
import { fetchGatewayCertificates, type GatewayCertificateReport } from "./gatewayCertificates";
import type { GatewayClient } from "./gatewayClient";
import { initiationFor } from "./initiation";
import { handleInqReq } from "./inquiry";
import { finishWaitingRequests, type RecoveredRequest } from "./lifecycleRecovery";
import { acceptedBrands, type MerchantConfig } from "./merchantConfig";
import { checkIdempotencyKey, type OrderInput, OrderInputError, parseNewOrder } from "./newOrder";
import type { HistoryEntry, NewOrder, Order, StoredMessage } from "./order";
import { inquiryOf, type OrderInquiry } from "./orderInquiry";
import { OrderScopedError } from "./orderScopedError";
import type { OrderTerms } from "./orderTerms";
import { handlePInitReq } from "./pInitReqHandler";
import { handlePReq } from "./pReqHandler";
import { RetryBackoff } from "./retryBackoff";
import { settleInDoubt } from "./settleInDoubt";
import { authorizeSubsequent, type SubsequentAuthorizationInput } from "./subsequentAuthorization";

/** GET /orders/:id. */
export interface OrderView {
  readonly id: number;
  readonly lidM: string;
  readonly xid: string | null;
  readonly state: Order["state"];
  readonly description: string;
  readonly amount: number;
  readonly currency: number;
  readonly amtExp10: number;
  readonly brand: string | null;
  readonly reference: string | null;
  readonly metadata: Readonly<Record<string, string>> | null;
  /** A split shipment: what the first authorization asked for (`NewOrder.firstShipmentAmount`). */
  readonly firstShipmentAmount: number | null;
  /** Installment or recurring terms (`NewOrder.terms`). */
  readonly terms: OrderTerms | null;
  readonly history: HistoryEntry[];
  /** The first authorization; the later ones (AuthToken) are its `subsequent`. */
  readonly authorization: Order["authorization"] | null;
}

/**
 * GET /orders/:id/status on the payment listener: what the shop's result page shows the buyer.
 * Nothing that identifies the cardholder or joins the order to the gateway's records (no XID, no
 * history, no authorization details): those are on the admin listener.
 */
export interface OrderStatus {
  readonly id: number;
  readonly lidM: string;
  readonly state: Order["state"];
  readonly amount: number;
  readonly currency: number;
  readonly amtExp10: number;
  /** The CompletionCode the buyer was sent in PRes, once there is one. */
  readonly completionCode: string | null;
}

export interface CreateOrderOptions {
  /** 1 to 255 visible ASCII characters; the same key with the same input gives the same order. */
  readonly idempotencyKey?: string;
}

/** The order's fields in a fixed order, so equal input hashes equal whatever its key order. */
function canonicalOrder(o: NewOrder): unknown {
  const metadata = o.metadata
    ? Object.entries(o.metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    : null;
  return [
    o.description,
    o.purchAmt.amount,
    o.purchAmt.currency,
    o.purchAmt.amtExp10,
    o.brand ?? null,
    o.profile ?? "set",
    o.reference ?? null,
    metadata,
    // Appended only when given, so the fingerprints of orders stored before it stay the same.
    ...(o.firstShipmentAmount !== undefined ? [o.firstShipmentAmount] : []),
    ...(o.terms !== undefined ? [o.terms] : []),
  ];
}

/**
 * The SET Errors an order's record keeps, either way: a refused request within an order is
 * recorded with the Error that answered it, and an Error the cardholder side sends naming an
 * order is recorded with it, until the order holds this many. Past it they are still answered
 * (or, for an Error, still read) but not recorded: anyone who knows an order's XID or LID-M could
 * otherwise grow its record without end, and with it every read of the order's messages. Checked
 * before the write, so requests refused at the same moment may pass it together; the order's
 * record stays bounded by the cap plus the requests in flight (at most the listener's 256
 * connections).
 */
export const maxRecordedErrors = 32;

/** What startup recovery did with one order a stopped process left in `authorizing`. */
export interface ResumedAuthorization {
  readonly orderId: number;
  readonly xid?: string;
  /** The order's state afterwards: authorized, declined or authorizationFailed when finished. */
  readonly state: Order["state"];
  /** Why the order could not be finished. */
  readonly error?: string;
}

export interface MerchantOptions {
  readonly p: CryptoProvider;
  readonly repo: MerchantRepository;
  readonly config: MerchantConfig;
  readonly gateway: GatewayClient;
  /** Send every order event as a signed webhook too (docs/webhooks.md). */
  readonly webhook?: WebhookOptions;
  /** Sandbox: the lab's test cards (`testCards`) decide outcomes; shown in /health and the logs. */
  readonly testMode?: boolean;
  /** A listener threw or rejected; default: ignored (the plugin logs it). */
  readonly onListenerError?: (error: unknown, event: OrderEvent) => void;
  /**
   * A lifecycle request still waiting after a failed attempt is asked for again after 5 s, then
   * twice as long after each failure in a row, at most 15 min (`finishWaitingRequests`).
   */
  readonly waitingRetry?: { readonly firstMs?: number; readonly maxMs?: number; readonly now?: () => number };
}

type Listeners = Map<OrderEventType | "*", Set<OrderEventListener>>;

export class Merchant {
  /** Replaced, not mutated, when the gateways' certificates are fetched (refreshGatewayCertificates). */
  private ctx: MerchantContext;
  private readonly listeners: Listeners = new Map();
  /** Set by the plugin so its errors reach its log. */
  onListenerError: ((error: unknown, event: OrderEvent) => void) | undefined;
  /** Called after events were committed (the plugin starts a webhook delivery). */
  private eventsCommitted: (() => void) | undefined;
  /** Requests being answered, by kind and RRPID: an identical request waits for the same answer. */
  private readonly inFlight = new Map<string, { hash: string; answer: Promise<SetOutcome> }>();
  /** Orders whose in-doubt authorization is being settled right now. */
  private readonly settling = new Set<number>();
  /** The recovery run of waiting lifecycle requests now going, if one is. */
  private finishing: Promise<RecoveredRequest[]> | undefined;
  /** A waiting request that keeps failing is asked for less and less often (./retryBackoff.ts). */
  private readonly waitingBackoff: RetryBackoff;
  /** Embodiment 1 requests issued and not yet answered. */
  private readonly e1Requests = new E1Requests<E2Request>();

  constructor(private readonly options: MerchantOptions) {
    if (options.webhook) {
      checkEndpointUrl(options.webhook.url, "webhook");
      if (options.webhook.secret.length < minWebhookSecretLength)
        throw new MerchantConfigurationError(
          `the webhook secret must be at least ${minWebhookSecretLength} characters`,
        );
    }
    options.gateway.checkGateways?.(options.config.brands.map((b) => b.gateway.id));
    this.onListenerError = options.onListenerError;
    this.waitingBackoff = new RetryBackoff(options.waitingRetry?.firstMs, options.waitingRetry?.maxMs);
    const repo = eventingRepository(options.repo, {
      webhooks: options.webhook !== undefined,
      committed: (events) => this.emit(events),
    });
    this.ctx = { ...options, repo };
  }

  /** Closes the store (after the app that serves the merchant has closed). */
  close(): Promise<void> {
    return this.ctx.repo.close();
  }

  /** Whether events are also sent as webhooks (`webhook` configured). */
  get sendsWebhooks(): boolean {
    return this.options.webhook !== undefined;
  }

  get testMode(): boolean {
    return this.options.testMode === true;
  }

  /**
   * Listen to one event type, or to all (`"*"`). Called after the change is on disk; in-process
   * listeners hear each event at most once (a crash between the write and the call loses it for
   * them: webhooks, from the store's outbox, do not). Returns a function that removes the listener.
   */
  on(type: OrderEventType | "*", listener: OrderEventListener): () => void {
    const set = this.listeners.get(type) ?? new Set();
    this.listeners.set(type, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Called by the plugin: run `kick` whenever new events are committed. */
  whenEventsCommitted(kick: () => void): void {
    this.eventsCommitted = kick;
  }

  private emit(events: readonly OrderEvent[]): void {
    for (const event of events)
      for (const l of [...(this.listeners.get(event.type) ?? []), ...(this.listeners.get("*") ?? [])]) {
        try {
          const r = l(event);
          if (r instanceof Promise) r.catch((e: unknown) => this.onListenerError?.(e, event));
        } catch (e) {
          this.onListenerError?.(e, event);
        }
      }
    if (this.options.webhook) this.eventsCommitted?.();
  }

  /** Every event of the order, oldest first. */
  events(orderId: number): Promise<OrderEvent[]> {
    return this.ctx.repo.events(orderId);
  }

  /** Send the webhooks due now (the plugin runs this in the background); none configured: nothing. */
  async deliverWebhooks(): Promise<DeliveryReport[]> {
    if (!this.options.webhook) return [];
    return deliverDueWebhooks(this.ctx.repo, this.options.webhook, () => this.ctx.p.now());
  }

  /** When the next webhook is due (ISO time), if any waits. */
  nextWebhookAt(): Promise<string | undefined> {
    return this.options.webhook ? this.ctx.repo.nextWebhookAt() : Promise.resolve(undefined);
  }

  get config(): MerchantConfig {
    return this.ctx.config;
  }

  brands(): string[] {
    return acceptedBrands(this.ctx.config);
  }

  /** Validate the JSON of `POST /orders` (OrderInputError) and store the order. */
  createOrderFromJson(body: unknown, options: CreateOrderOptions = {}): Promise<Order> {
    return this.createOrder(body as OrderInput, options);
  }

  /**
   * Validate and store an order (OrderInputError with a stable `code` for bad input). With an
   * `idempotencyKey`, a repeat of the call (same key, same input) returns the order the first one
   * stored; the same key with other input is refused (`idempotencyKeyReused`).
   */
  async createOrder(input: OrderInput, options: CreateOrderOptions = {}): Promise<Order> {
    const order = parseNewOrder(input, this.brands());
    const key = options.idempotencyKey;
    if (key === undefined) return this.ctx.repo.createOrder(order, this.ctx.p.now());
    checkIdempotencyKey(key);
    const fingerprint = createHash("sha256")
      .update(JSON.stringify(canonicalOrder(order)))
      .digest("hex");
    const earlier = async () => {
      const found = await this.ctx.repo.orderByIdempotencyKey(key);
      if (found && found.fingerprint !== fingerprint)
        throw new OrderInputError(
          "idempotencyKeyReused",
          `idempotency key ${key} was used for order ${found.order.id} with other parameters`,
        );
      return found?.order;
    };
    const found = await earlier();
    if (found) return found;
    try {
      return await this.ctx.repo.createOrder(order, this.ctx.p.now(), { key, fingerprint });
    } catch (e) {
      // Two calls with one key at once: the second insert hits the unique key and gets the first's order.
      const raced = await earlier();
      if (raced) return raced;
      throw e;
    }
  }

  order(id: number): Promise<Order | undefined> {
    return this.ctx.repo.order(id);
  }

  async orderView(id: number): Promise<OrderView | undefined> {
    const o = await this.ctx.repo.order(id);
    if (!o) return undefined;
    return {
      id: o.id,
      lidM: o.lidM,
      xid: o.xid ?? null,
      state: o.state,
      description: o.description,
      amount: o.purchAmt.amount,
      currency: o.purchAmt.currency,
      amtExp10: o.purchAmt.amtExp10,
      brand: o.brand ?? null,
      reference: o.reference ?? null,
      metadata: o.metadata ?? null,
      firstShipmentAmount: o.firstShipmentAmount ?? null,
      terms: o.terms ?? null,
      history: await this.ctx.repo.history(id),
      authorization: o.authorization ?? null,
    };
  }

  async orderStatus(id: number): Promise<OrderStatus | undefined> {
    const o = await this.ctx.repo.order(id);
    if (!o) return undefined;
    return {
      id: o.id,
      lidM: o.lidM,
      state: o.state,
      amount: o.purchAmt.amount,
      currency: o.purchAmt.currency,
      amtExp10: o.purchAmt.amtExp10,
      completionCode: o.authorization?.completionCode ?? null,
    };
  }

  messages(orderId: number): Promise<StoredMessage[]> {
    return this.ctx.repo.messages(orderId);
  }

  initiationFor(order: Order, baseUrl: string): Initiation {
    return initiationFor(order, this.ctx.config, baseUrl);
  }

  /**
   * Startup recovery: finish every order a stopped process left in `authorizing`. Each one's stored
   * PReq is taken again as if the cardholder had re-sent it, which re-sends the stored AuthReq (same
   * bytes, same AuthRRPID, the gateway client's retry policy), records the answer and stores the
   * PRes. While that runs, the cardholder re-sending the same PReq waits for the same answer (the
   * in-flight map), so nothing is authorized twice. Never throws; call once, before or right
   * after the server starts listening.
   */
  async resumeAuthorizations(call: CallContext = {}): Promise<ResumedAuthorization[]> {
    let orders: Order[];
    try {
      orders = await this.ctx.repo.ordersInState("authorizing");
    } catch (e) {
      return [{ orderId: 0, state: "authorizing", error: `cannot list orders: ${(e as Error).message}` }];
    }
    return Promise.all(orders.map((o) => this.resumeAuthorization(o, call)));
  }

  private async resumeAuthorization(order: Order, call: CallContext): Promise<ResumedAuthorization> {
    const ids = { orderId: order.id, ...(order.xid ? { xid: order.xid } : {}) };
    try {
      const pReq = await this.pendingPReq(order);
      if (!pReq) return { ...ids, state: order.state, error: "no stored PReq matches the authorization" };
      const out = await this.handleSet(pReq, call);
      const now = (await this.ctx.repo.order(order.id)) ?? order;
      return { ...ids, state: now.state, ...(out.error ? { error: out.error.message } : {}) };
    } catch (e) {
      return { ...ids, state: order.state, error: (e as Error).message };
    }
  }

  /**
   * Settle every order whose authorization is in doubt (`authorizing`, the cardholder already
   * answered orderReceived): send its stored AuthReq again and record the gateway's decision.
   * The server shell calls this periodically; never throws; one settlement per order at a time.
   */
  async settleInDoubt(call: CallContext = {}): Promise<{ orderId: number; state: string; error?: string }[]> {
    let orders: Order[];
    try {
      orders = await this.ctx.repo.ordersInState("authorizing");
    } catch (e) {
      return [{ orderId: 0, state: "authorizing", error: `cannot list orders: ${(e as Error).message}` }];
    }
    const doubtful = orders.filter((o) => o.authorization?.inDoubt && !this.settling.has(o.id));
    return Promise.all(
      doubtful.map(async (o) => {
        this.settling.add(o.id);
        try {
          return { orderId: o.id, state: await settleInDoubt(this.ctx, o, call) };
        } catch (e) {
          return { orderId: o.id, state: o.state, error: (e as Error).message };
        } finally {
          this.settling.delete(o.id);
        }
      }),
    );
  }

  /**
   * Ask again for every lifecycle request (capture, reversal, credit, later authorization, batch
   * close) committed before it left and still without its answer, recording each answer as the
   * original call would have (./lifecycleRecovery.ts). The server shell calls this when the app is
   * ready and then periodically; a call while one runs joins it. Never throws.
   */
  finishWaitingRequests(call: CallContext = {}): Promise<RecoveredRequest[]> {
    this.finishing ??= finishWaitingRequests(this.ctx, call, {
      backoff: this.waitingBackoff,
      now: this.options.waitingRetry?.now ?? Date.now,
    }).finally(() => {
      this.finishing = undefined;
    });
    return this.finishing;
  }

  /**
   * Ask each brand's gateway for its current key-exchange certificate (PCertReq/PCertRes, see
   * ./gatewayCertificates.ts) and use the ones that pass the same trust checks as configuration;
   * for any other answer the configured certificate stays. Requests already running finish with
   * the certificates they started with. Never throws for a gateway's failure: the report says.
   */
  async refreshGatewayCertificates(call: CallContext = {}): Promise<GatewayCertificateReport[]> {
    const { config, reports } = await fetchGatewayCertificates(this.ctx, call);
    this.ctx = { ...this.ctx, config };
    return reports;
  }

  /**
   * What SET says about the order now (./orderInquiry.ts): the CompletionCode the cardholder's
   * InqReq would get, with the amounts authorized, captured and credited; undefined for no order.
   */
  async inquire(orderId: number): Promise<OrderInquiry | undefined> {
    const order = await this.ctx.repo.order(orderId);
    return order ? inquiryOf(order) : undefined;
  }

  /**
   * Capture the order's authorization, all of it or `amount` of it (partial capture): see
   * ./capture.ts. `authorization: n` captures a later authorization of the purchase (a split
   * shipment's part n, authorized with `authorizeSubsequent`) instead of the first. Resolves with the order after the gateway's answer; CaptureInputError or
   * OrderStateError when the merchant refuses before asking.
   */
  capture(orderId: number, options: CaptureOptions = {}, call: CallContext = {}): Promise<Order> {
    return captureOrder(this.ctx, orderId, options, call);
  }

  /**
   * Capture many orders in one CapReq, each in full or `amount` of it, into the open batch or
   * `batchId` (./captureMany.ts). Resolves with every order after the gateway's answer; with an
   * `idempotencyKey`, a repeat sends the same CapReq and captures nothing twice.
   */
  captureMany(
    orders: readonly (number | CaptureManyItem)[],
    options: CaptureManyOptions = {},
    call: CallContext = {},
  ): Promise<CaptureManyResult> {
    return captureMany(this.ctx, orders, options, call);
  }

  /**
   * Close the open batch (or `batchId`) at the gateway, which then settles it (./batchAdmin.ts):
   * resolves with its status and totals per brand and currency; closing a closed batch again
   * changes nothing. BatchAdminError when the gateway gives no usable answer.
   */
  closeBatch(options: BatchAdminOptions = {}, call: CallContext = {}): Promise<BatchView> {
    return batchAdmin(this.ctx, "close", options, call);
  }

  /** The open batch's (or `batchId`'s) status and totals per brand and currency, as the gateway keeps them. */
  batchStatus(
    options: Omit<BatchAdminOptions, "idempotencyKey"> = {},
    call: CallContext = {},
  ): Promise<BatchView> {
    return batchAdmin(this.ctx, "query", options, call);
  }

  /**
   * Authorize more of the order's purchase with the gateway's AuthToken: a split shipment's next
   * part, or the next installment or recurring payment (./subsequentAuthorization.ts). Resolves
   * with the order after the gateway's answer (the new authorization last in
   * `authorization.subsequent`); SubsequentAuthorizationInputError or OrderStateError when the
   * merchant refuses before asking. With `idempotencyKey`, a repeated call acts once.
   */
  authorizeSubsequent(
    orderId: number,
    input: SubsequentAuthorizationInput,
    call: CallContext = {},
  ): Promise<Order> {
    return authorizeSubsequent(this.ctx, orderId, input, call);
  }

  /**
   * Reverse the order's uncaptured authorization (AuthRev): cancel it, or reduce it to
   * `options.amount`; see ./authReversal.ts. Resolves with the order after the gateway's answer
   * (`reversed`, or its state with the lower AuthAmt); ReversalInputError or OrderStateError when
   * the merchant refuses before asking. With an `idempotencyKey`, a repeated call acts once.
   */
  reverseAuthorization(
    orderId: number,
    options: ReverseAuthorizationOptions = {},
    call: CallContext = {},
  ): Promise<Order> {
    return reverseAuthorization(this.ctx, orderId, options, call);
  }

  /**
   * Credit (refund) the order's capture, all that is left of it or `options.amount` (CredReq):
   * see ./capRevOrCred.ts. Resolves with the order after the gateway's answer (`partiallyRefunded`
   * or `refunded` when done); CapRevOrCredInputError or OrderStateError when the merchant refuses
   * before asking. With an `idempotencyKey`, a repeated call acts once. `authorization: n` credits
   * the capture of a later authorization of the purchase (./authorizationPart.ts). `batchId` books
   * it into that settlement batch (NewBatchID) instead of the open one; the same for the two below.
   */
  refund(
    orderId: number,
    options: Omit<CapRevOrCredOptions, "creditId"> = {},
    call: CallContext = {},
  ): Promise<Order> {
    return this.capRevOrCred("credit", orderId, options, call);
  }

  /**
   * Reverse the order's whole capture (CapRevReq), when no credit stands against it:
   * `captureReversed` (`authorization: n`: a later authorization's capture).
   */
  reverseCapture(
    orderId: number,
    options: Pick<CapRevOrCredOptions, "idempotencyKey" | "authorization" | "batchId"> = {},
    call: CallContext = {},
  ): Promise<Order> {
    return this.capRevOrCred("captureReversal", orderId, options, call);
  }

  /**
   * Take back a credit (CredRevReq): `options.creditId` (default the last credit), all that is
   * left of it or `options.amount`: `refundReversed` (`authorization: n`: a later authorization's).
   */
  reverseRefund(orderId: number, options: CapRevOrCredOptions = {}, call: CallContext = {}): Promise<Order> {
    return this.capRevOrCred("creditReversal", orderId, options, call);
  }

  private async capRevOrCred(
    kind: CapRevOrCredKind,
    orderId: number,
    options: CapRevOrCredOptions,
    call: CallContext,
  ): Promise<Order> {
    if (options.idempotencyKey !== undefined) checkIdempotencyKey(options.idempotencyKey);
    return capRevOrCredOrder(this.ctx, kind, orderId, options, call);
  }

  private async pendingPReq(order: Order): Promise<Uint8Array | undefined> {
    for (const m of await this.ctx.repo.messages(order.id)) {
      if (m.from !== "cardholder" || m.type !== "purchaseRequest") continue;
      try {
        const w = schema.decodeMessage(m.der, this.ctx.config.understoodExtensions);
        if (w.message.type !== "purchaseRequest") continue;
        const stored = await this.ctx.repo.idempotency("PReq", toHex(oiDataOf(w.message.value).rrpid));
        if (stored && stored.orderId === order.id && stored.requestHash === requestHash(m.der)) return m.der;
      } catch {
        // A recorded PReq that was refused may not decode; it is not the pending one.
      }
    }
    return undefined;
  }

  /**
   * Answer one embodiment message (SetLabEmbodiments.asn: the patent's first and second
   * embodiments, for orders whose profile is `embodiment-1` or `embodiment-2`). Never throws for
   * any input bytes.
   */
  handleEmbodiment(bytes: Uint8Array, call: CallContext = {}): Promise<SetOutcome> {
    return handleEmbodiment1(this.ctx, this.e1Requests, new Uint8Array(bytes), call);
  }

  /** Answer one SET message (a MessageWrapper's bytes). Never throws for any input bytes. */
  async handleSet(bytes: Uint8Array, call: CallContext = {}): Promise<SetOutcome> {
    const request = new Uint8Array(bytes);
    if (isErrorMessage(request)) return this.recordIncomingError(request);
    let read: ReadMessage;
    try {
      read = readMessage(request, this.ctx.config.understoodExtensions);
    } catch (e) {
      return this.refuse(request, e);
    }
    const { wrapper } = read;
    const type = wrapper.message.type;
    // An inquiry changes no order: it needs no in-flight guard (its RRPID keys the stored answer).
    if (type === "inquiryRequest") return this.dispatch(read, call);
    const rrpid =
      wrapper.message.type === "purchaseInitRequest"
        ? wrapper.message.value.rrpid
        : wrapper.message.type === "purchaseRequest"
          ? oiDataOf(wrapper.message.value).rrpid
          : undefined;
    if (!rrpid)
      return this.refuse(
        request,
        new SetError("messageNotSupported", `a merchant does not take ${type}`, "MessageWrapper.message"),
        type,
      );
    // An identical request already being answered gets the same answer, and nothing runs twice.
    const key = `${type}:${toHex(rrpid)}`;
    const hash = requestHash(request);
    const running = this.inFlight.get(key);
    if (running && running.hash === hash) return { ...(await running.answer), replayed: true };
    const answer = this.dispatch(read, call);
    if (!running) {
      this.inFlight.set(key, { hash, answer });
      answer.finally(() => this.inFlight.delete(key)).catch(() => {});
    }
    return answer;
  }

  private async dispatch(read: ReadMessage, call: CallContext): Promise<SetOutcome> {
    const { bytes: request, wrapper } = read;
    const type = wrapper.message.type;
    try {
      if (wrapper.message.type === "purchaseInitRequest")
        return await handlePInitReq(this.ctx, read, wrapper.message.value);
      if (wrapper.message.type === "purchaseRequest")
        return await handlePReq(this.ctx, read, wrapper.message.value, call);
      if (wrapper.message.type === "inquiryRequest") return await handleInqReq(this.ctx, read);
      throw new SetError("messageNotSupported", `a merchant does not take ${type}`, "MessageWrapper.message");
    } catch (e) {
      if (e instanceof OrderScopedError) return this.refuseWithinOrder(request, type, e);
      return this.refuse(request, e, type);
    }
  }

  private async refuse(request: Uint8Array, e: unknown, requestType?: string): Promise<SetOutcome> {
    const failure =
      e instanceof SetError
        ? e
        : new SetError("unspecifiedFailure", "the merchant could not process the message");
    const response = await errorMessage(this.ctx.p, failure, request, { date: this.ctx.p.now() });
    return {
      response,
      ...(requestType ? { requestType } : {}),
      error: { code: failure.code, message: failure.message },
    };
  }

  /** Whether the order's record has room for another SET Error (`maxRecordedErrors`). */
  private async keepsMoreErrors(orderId: number): Promise<boolean> {
    return (await this.ctx.repo.errorMessages(orderId)) < maxRecordedErrors;
  }

  private async refuseWithinOrder(
    request: Uint8Array,
    requestType: string,
    e: OrderScopedError,
  ): Promise<SetOutcome> {
    const out = await this.refuse(request, e.failure, requestType);
    try {
      if (await this.keepsMoreErrors(e.order.id))
        await this.ctx.repo.commit(
          {
            orderId: e.order.id,
            messages: [
              { from: "cardholder", to: "merchant", type: requestType, der: request },
              { from: "merchant", to: "cardholder", type: "error", der: out.response },
            ],
          },
          this.ctx.p.now(),
        );
    } catch {
      // The refusal is answered even if it cannot be recorded, or the order holds enough of them.
    }
    return { ...out, orderId: e.order.id, xid: e.order.xid, state: e.order.state };
  }

  /** An Error from the cardholder side: recorded with its order when the header names one; no answer. */
  private async recordIncomingError(request: Uint8Array): Promise<SetOutcome> {
    let code = "unreadable";
    let order: Order | undefined;
    try {
      // Errors reach the merchant from the cardholder side: signed, they count only by a cardholder certificate.
      const received = await receiveError(this.ctx.p, request, {
        trust: { ...this.ctx.config.trust, at: this.ctx.p.now() },
        roles: ["card"],
      });
      code = received.code;
      const ids = received.header.messageIDs;
      if (ids?.xid) order = await this.ctx.repo.orderByXid(toHex(ids.xid));
      if (!order && ids?.lid_M)
        order = await this.ctx.repo.orderByLidM(Buffer.from(ids.lid_M).toString("utf8"));
      if (order && (await this.keepsMoreErrors(order.id)))
        await this.ctx.repo.commit(
          {
            orderId: order.id,
            messages: [{ from: "cardholder", to: "merchant", type: "error", der: request }],
          },
          this.ctx.p.now(),
        );
    } catch {
      // An unreadable Error is still not answered.
    }
    return {
      response: new Uint8Array(0),
      requestType: "error",
      ...(order ? { orderId: order.id, xid: order.xid, state: order.state } : {}),
      error: { code, message: "the peer sent a SET Error" },
    };
  }
}
