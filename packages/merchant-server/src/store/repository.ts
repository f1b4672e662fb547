/**
 * Where the merchant keeps its orders. The core talks to this interface only, so SQLite (the
 * default, `SqliteRepository`) can give way to PostgreSQL without touching the protocol logic.
 *
 * `commit` applies one order change atomically: the new state with its history entry, the SET
 * messages exchanged and the stored answer of an idempotent request. The core calls it before an
 * answer leaves, so a restart never loses a response it already gave.
 */
import type {
  Authorization,
  HistoryEntry,
  IssuedPurchase,
  NewOrder,
  Order,
  Party,
  PurchaseContext,
  StoredMessage,
} from "../core/order";
import type { OrderState } from "../core/orderState";
import type { OrderEvent } from "../events/orderEvent";
import type { KeyedGatewayRequest, KeyedGatewayRequestKind } from "./keyedGatewayRequests";

/** What an idempotent request (PInitReq, PReq, InqReq) left behind: its fingerprint and, once answered, the answer. */
export interface IdempotencyRecord {
  readonly orderId: number;
  /** SHA-256 of the request bytes (hex). */
  readonly requestHash: string;
  readonly response?: Uint8Array;
}

export type IdempotencyKind = "PInitReq" | "PReq" | "InqReq";

export interface OrderChange {
  readonly orderId: number;
  /** The change applies only if the order is still in this state (else `ConcurrentChangeError`). */
  readonly expect?: OrderState;
  /** Transitions, in order, each recorded in the history. */
  readonly transitions?: readonly { readonly to: OrderState; readonly detail: string }[];
  readonly xid?: string;
  readonly purchase?: PurchaseContext;
  readonly authorization?: Authorization;
  /**
   * A PInitRes's XID, outstanding from now on; the order's outstanding XIDs issued before
   * `dropOutstandingBefore` (ISO time) have expired and are removed.
   */
  readonly issue?: {
    readonly xid: string;
    readonly purchase: PurchaseContext;
    readonly dropOutstandingBefore: string;
  };
  /** A verified PReq takes this outstanding XID (else the change is refused: `ConcurrentChangeError`). */
  readonly take?: { readonly xid: string; readonly payer: string };
  readonly messages?: readonly { from: Party; to: Party; type: string; der: Uint8Array }[];
  /**
   * Events the change causes (`events/eventsOfChange.ts`), stored in the same write: the outbox
   * webhooks are delivered from, so a restart loses none. `webhook`: queue it for delivery.
   */
  readonly events?: readonly { readonly event: OrderEvent; readonly webhook: boolean }[];
  readonly idempotency?: {
    readonly kind: IdempotencyKind;
    /** The request's RRPID (hex). */
    readonly key: string;
    readonly requestHash: string;
    readonly response?: Uint8Array;
  };
}

export class ConcurrentChangeError extends Error {
  override readonly name = "ConcurrentChangeError";
}

/** One webhook waiting in the outbox. */
export interface PendingWebhook {
  readonly eventId: string;
  /** The event's JSON: the webhook body, byte for byte on every attempt. */
  readonly body: string;
  /** Attempts made so far. */
  readonly attempts: number;
}

/** What one delivery attempt came to. */
export type WebhookAttempt =
  | { readonly delivered: true }
  | {
      readonly delivered: false;
      readonly error: string /** ISO time; null: given up. */;
      readonly retryAt: string | null;
    };

export interface MerchantRepository {
  /**
   * With `idempotency`, the order is stored under that key (unique); a second call with the key
   * gets the order already stored (the caller compares `fingerprint`).
   */
  createOrder(
    order: NewOrder,
    at: Date,
    idempotency?: { readonly key: string; readonly fingerprint: string },
  ): Promise<Order>;
  /** The order created under this idempotency key, and the fingerprint of what it was created from. */
  orderByIdempotencyKey(key: string): Promise<{ order: Order; fingerprint: string } | undefined>;
  order(id: number): Promise<Order | undefined>;
  orderByLidM(lidM: string): Promise<Order | undefined>;
  /** The order whose XID this is: the one a PReq took, or one of its PInitRes's. */
  orderByXid(xidHex: string): Promise<Order | undefined>;
  /** A PInitRes's XID, outstanding or taken. */
  issuedPurchase(xidHex: string): Promise<IssuedPurchase | undefined>;
  /** How many of the order's XIDs each payer has taken (`PurchaseAttempt.payer` -> count). */
  attemptsByPayer(orderId: number): Promise<ReadonlyMap<string, number>>;
  /** Every order now in `state`, oldest first (startup recovery looks for `authorizing`). */
  ordersInState(state: OrderState): Promise<Order[]>;
  /** Every order with a lifecycle request waiting for the gateway's answer (../core/waitingRequests.ts), oldest first. */
  ordersWaitingForGateway(): Promise<Order[]>;
  history(orderId: number): Promise<HistoryEntry[]>;
  messages(orderId: number): Promise<StoredMessage[]>;
  /** How many SET Error messages, either way, the order's record holds (merchant.ts caps the refusals it keeps). */
  errorMessages(orderId: number): Promise<number>;
  idempotency(kind: IdempotencyKind, key: string): Promise<IdempotencyRecord | undefined>;
  commit(change: OrderChange, at: Date): Promise<void>;
  /** The order's events, oldest first. */
  events(orderId: number): Promise<OrderEvent[]>;
  /** Webhooks due by `at` (ISO time), oldest first. */
  dueWebhooks(at: string, limit: number): Promise<PendingWebhook[]>;
  /** The earliest time a webhook is due (ISO), or undefined when none waits. */
  nextWebhookAt(): Promise<string | undefined>;
  webhookAttempted(eventId: string, attempt: WebhookAttempt, at: Date): Promise<void>;
  /** A request to the gateway made under the shop's idempotency key (./keyedGatewayRequests.ts). */
  keyedGatewayRequest(kind: KeyedGatewayRequestKind, key: string): Promise<KeyedGatewayRequest | undefined>;
  /** Kept on disk before it is sent; fails if the key was used already. */
  recordKeyedGatewayRequest(request: KeyedGatewayRequest, at: Date): Promise<void>;
  /** The kind's requests not yet answered, oldest first: recovery sends them again. */
  unansweredKeyedGatewayRequests(kind: KeyedGatewayRequestKind): Promise<KeyedGatewayRequest[]>;
  /** A usable answer to the request (its RRPID, hex) was received: every row of it is answered. */
  keyedGatewayRequestAnswered(kind: KeyedGatewayRequestKind, rrpid: string, at: Date): Promise<void>;
  close(): Promise<void>;
}
