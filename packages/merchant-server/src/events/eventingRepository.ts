/**
 * The merchant's repository with events: each commit that causes events (`eventsOfChange`) stores
 * them in the same write (the webhook outbox), and once it is on disk they go to the in-process
 * listeners. Everything else passes through untouched.
 */
import type { MerchantRepository, OrderChange } from "../store/repository";
import { eventsOfChange, mayCauseEvents } from "./eventsOfChange";
import type { OrderEvent } from "./orderEvent";

export interface EventSinks {
  /** Queue each event as a webhook too. */
  readonly webhooks: boolean;
  /** Called after the commit is on disk, with the events in order. */
  readonly committed: (events: readonly OrderEvent[]) => void;
}

export function eventingRepository(repo: MerchantRepository, sinks: EventSinks): MerchantRepository {
  return {
    createOrder: (order, at, idempotency) => repo.createOrder(order, at, idempotency),
    orderByIdempotencyKey: (key) => repo.orderByIdempotencyKey(key),
    order: (id) => repo.order(id),
    orderByLidM: (lidM) => repo.orderByLidM(lidM),
    orderByXid: (xid) => repo.orderByXid(xid),
    issuedPurchase: (xid) => repo.issuedPurchase(xid),
    attemptsByPayer: (orderId) => repo.attemptsByPayer(orderId),
    ordersInState: (state) => repo.ordersInState(state),
    ordersWaitingForGateway: () => repo.ordersWaitingForGateway(),
    history: (orderId) => repo.history(orderId),
    messages: (orderId) => repo.messages(orderId),
    errorMessages: (orderId) => repo.errorMessages(orderId),
    idempotency: (kind, key) => repo.idempotency(kind, key),
    events: (orderId) => repo.events(orderId),
    dueWebhooks: (at, limit) => repo.dueWebhooks(at, limit),
    nextWebhookAt: () => repo.nextWebhookAt(),
    webhookAttempted: (eventId, attempt, at) => repo.webhookAttempted(eventId, attempt, at),
    keyedGatewayRequest: (kind, key) => repo.keyedGatewayRequest(kind, key),
    recordKeyedGatewayRequest: (request, at) => repo.recordKeyedGatewayRequest(request, at),
    unansweredKeyedGatewayRequests: (kind) => repo.unansweredKeyedGatewayRequests(kind),
    keyedGatewayRequestAnswered: (kind, rrpid, at) => repo.keyedGatewayRequestAnswered(kind, rrpid, at),
    close: () => repo.close(),
    async commit(change: OrderChange, at: Date): Promise<void> {
      if (!mayCauseEvents(change)) return repo.commit(change, at);
      const before = await repo.order(change.orderId);
      const events = before ? eventsOfChange(before, change, at) : [];
      if (events.length === 0) return repo.commit(change, at);
      await repo.commit(
        { ...change, events: events.map((event) => ({ event, webhook: sinks.webhooks })) },
        at,
      );
      sinks.committed(events);
    },
  };
}
