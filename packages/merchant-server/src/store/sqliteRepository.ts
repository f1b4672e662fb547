/**
 * The merchant's repository in one SQLite file (better-sqlite3, WAL): orders, order_history,
 * messages (DER blobs) and idempotency (stored answers keyed by request RRPID; an answer that is
 * one of the order's messages is kept once, as a reference to that row). Every `commit`
 * (and `createOrder`) is one all-or-nothing write that resolves once its COMMIT is on disk
 * (synchronous=FULL): the core answers only after that. Writes go through group commit: a writer
 * thread puts the writes queued meanwhile in one transaction (one savepoint each) and one fsync,
 * which never blocks the event loop. Reads use this connection and see committed rows only.
 */

import { bytesEqual } from "@setlab/protocol";
import {
  type DurableWriter,
  durableWriter,
  ensureOwnerOnlyFile,
  type SqlStatement,
  WriteRefusedError,
} from "@setlab/runtime";
import Database from "better-sqlite3";
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
import { lidMPrefix } from "../core/order";
import { checkTransition, type OrderState } from "../core/orderState";
import type { OrderTerms } from "../core/orderTerms";
import { waitingRequestsOf } from "../core/waitingRequests";
import type { OrderEvent } from "../events/orderEvent";
import {
  answerEarlierKeyedGatewayRequests,
  answerKeyedGatewayRequest,
  insertKeyedGatewayRequest,
  type KeyedGatewayRequest,
  type KeyedGatewayRequestKind,
  keyedGatewayRequestColumns,
  keyedGatewayRequestSchema,
  selectKeyedGatewayRequest,
  selectUnansweredKeyedGatewayRequests,
  toKeyedGatewayRequest,
} from "./keyedGatewayRequests";
import {
  ConcurrentChangeError,
  type IdempotencyKind,
  type IdempotencyRecord,
  type MerchantRepository,
  type OrderChange,
  type PendingWebhook,
  type WebhookAttempt,
} from "./repository";

/**
 * A store from before issued_purchases: the XID each order carries is its one PInitRes's, taken
 * once a PReq reached the order.
 */
const issuedFromOrders = `INSERT OR IGNORE INTO issued_purchases (xid, order_id, purchase, issued_at, taken_by)
  SELECT xid, id, purchase, updated_at, CASE WHEN state IN ('created', 'initiated') THEN NULL ELSE 'earlier' END
  FROM orders WHERE xid IS NOT NULL AND purchase IS NOT NULL`;

const schemaSql = `
CREATE TABLE IF NOT EXISTS orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  lid_m TEXT UNIQUE,
  description TEXT NOT NULL,
  currency INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  amt_exp10 INTEGER NOT NULL,
  brand TEXT,
  profile TEXT NOT NULL DEFAULT 'set',
  reference TEXT,
  metadata TEXT,
  first_shipment_amount INTEGER,
  terms TEXT,
  idempotency_key TEXT,
  input_fingerprint TEXT,
  state TEXT NOT NULL,
  xid TEXT UNIQUE,
  purchase TEXT,
  authorization TEXT,
  -- 1 while a lifecycle request of the order waits for the gateway's answer (core/waitingRequests.ts).
  waiting_for_gateway INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- Startup recovery and the periodic settlement of authorizations in doubt look orders up by state.
CREATE INDEX IF NOT EXISTS orders_by_state ON orders (state);
CREATE INDEX IF NOT EXISTS orders_waiting_for_gateway ON orders (id) WHERE waiting_for_gateway = 1;
CREATE UNIQUE INDEX IF NOT EXISTS orders_by_idempotency_key ON orders (idempotency_key);
CREATE TABLE IF NOT EXISTS order_history (
  order_id INTEGER NOT NULL REFERENCES orders(id),
  seq INTEGER NOT NULL,
  state TEXT NOT NULL,
  at TEXT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (order_id, seq)
);
CREATE TABLE IF NOT EXISTS messages (
  order_id INTEGER NOT NULL REFERENCES orders(id),
  seq INTEGER NOT NULL,
  sender TEXT NOT NULL,
  recipient TEXT NOT NULL,
  type TEXT NOT NULL,
  der BLOB NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (order_id, seq)
);
-- Every PInitRes's XID and what it fixed; taken_by is set when a verified PReq takes it.
CREATE TABLE IF NOT EXISTS issued_purchases (
  xid TEXT PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  purchase TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  taken_by TEXT
);
CREATE INDEX IF NOT EXISTS issued_purchases_by_order ON issued_purchases (order_id);
-- Every event of every order; webhook_state 'pending' rows are the webhook outbox.
CREATE TABLE IF NOT EXISTS order_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  webhook_state TEXT,
  webhook_attempts INTEGER NOT NULL DEFAULT 0,
  webhook_due_at TEXT,
  webhook_error TEXT
);
CREATE INDEX IF NOT EXISTS order_events_by_order ON order_events (order_id);
CREATE INDEX IF NOT EXISTS order_events_due ON order_events (webhook_due_at) WHERE webhook_state = 'pending';
CREATE TABLE IF NOT EXISTS idempotency (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  request_hash TEXT NOT NULL,
  -- The answer: inline, or (response NULL) the order's message row response_seq holding its bytes.
  response BLOB,
  response_seq INTEGER,
  PRIMARY KEY (kind, key)
);
`;

/**
 * A store from before the shop's reference, metadata and idempotency keys: the columns are added
 * (the schema's unique index on idempotency_key follows, as SQLite cannot add a UNIQUE column).
 */
function addOrderColumns(db: Database.Database): void {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'orders'").get() !== undefined;
  if (!has) return;
  const columns = new Set((db.pragma("table_info(orders)") as { name: string }[]).map((c) => c.name));
  for (const [name, type] of [
    ["reference", "TEXT"],
    ["metadata", "TEXT"],
    ["idempotency_key", "TEXT"],
    ["input_fingerprint", "TEXT"],
    ["first_shipment_amount", "INTEGER"],
    ["terms", "TEXT"],
  ])
    if (!columns.has(name)) db.exec(`ALTER TABLE orders ADD COLUMN ${name} ${type}`);
}

/**
 * A store from before the waiting marker: the column is added and set from each order's
 * authorization, so recovery finds the requests waiting there too. A store from before recovery
 * knew keyed requests gets their columns (./keyedGatewayRequests.ts).
 */
function addRecoveryColumns(db: Database.Database): void {
  const has = (table: string) =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
  const columnsOf = (table: string) =>
    new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name));
  if (has("orders") && !columnsOf("orders").has("waiting_for_gateway")) {
    db.exec("ALTER TABLE orders ADD COLUMN waiting_for_gateway INTEGER");
    const rows = db.prepare("SELECT id, authorization FROM orders WHERE authorization IS NOT NULL").all() as {
      id: number;
      authorization: string;
    }[];
    const mark = db.prepare("UPDATE orders SET waiting_for_gateway = 1 WHERE id = ?");
    db.transaction(() => {
      for (const r of rows)
        if (waitingRequestsOf(JSON.parse(r.authorization) as Authorization).length > 0) mark.run(r.id);
    })();
  }
  if (has("keyed_gateway_requests")) {
    const columns = columnsOf("keyed_gateway_requests");
    const missing = keyedGatewayRequestColumns.filter(([name]) => !columns.has(name));
    for (const [name, type] of missing)
      db.exec(`ALTER TABLE keyed_gateway_requests ADD COLUMN ${name} ${type}`);
    if (missing.length > 0) db.exec(answerEarlierKeyedGatewayRequests);
  }
}

/**
 * A store from before answers were kept as references: the column is added; its rows keep their
 * inline answers, which are still served.
 */
function addAnswerReferenceColumn(db: Database.Database): void {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'idempotency'").get();
  if (has === undefined) return;
  const columns = new Set((db.pragma("table_info(idempotency)") as { name: string }[]).map((c) => c.name));
  if (!columns.has("response_seq")) db.exec("ALTER TABLE idempotency ADD COLUMN response_seq INTEGER");
}

/**
 * The stored answer of a request seen again: the row's own (inline or a reference) unless the new
 * one is for another order than the row's; then the answer is copied inline, since a reference
 * names a message of the row's order. Applies only to the same request (request_hash).
 */
const idempotencyUpsert = `ON CONFLICT (kind, key) DO UPDATE SET
      response = CASE WHEN excluded.response_seq IS NULL OR excluded.order_id = idempotency.order_id
        THEN excluded.response
        ELSE (SELECT der FROM messages WHERE order_id = excluded.order_id AND seq = excluded.response_seq) END,
      response_seq = CASE WHEN excluded.order_id = idempotency.order_id THEN excluded.response_seq END
    WHERE idempotency.request_hash = excluded.request_hash`;

interface OrderRow {
  id: number;
  lid_m: string;
  description: string;
  currency: number;
  amount: number;
  amt_exp10: number;
  brand: string | null;
  profile: "set" | "hardened" | "embodiment-1" | "embodiment-2";
  reference: string | null;
  metadata: string | null;
  first_shipment_amount: number | null;
  terms: string | null;
  idempotency_key: string | null;
  state: OrderState;
  xid: string | null;
  purchase: string | null;
  authorization: string | null;
  created_at: string;
}

function toOrder(r: OrderRow): Order {
  return {
    id: r.id,
    lidM: r.lid_m,
    description: r.description,
    purchAmt: { currency: r.currency, amount: r.amount, amtExp10: r.amt_exp10 },
    ...(r.brand ? { brand: r.brand } : {}),
    profile: r.profile,
    ...(r.reference !== null ? { reference: r.reference } : {}),
    ...(r.metadata !== null ? { metadata: JSON.parse(r.metadata) as Record<string, string> } : {}),
    ...(r.first_shipment_amount !== null ? { firstShipmentAmount: r.first_shipment_amount } : {}),
    ...(r.terms !== null ? { terms: JSON.parse(r.terms) as OrderTerms } : {}),
    ...(r.idempotency_key !== null ? { idempotencyKey: r.idempotency_key } : {}),
    state: r.state,
    createdAt: r.created_at,
    ...(r.xid ? { xid: r.xid } : {}),
    ...(r.purchase ? { purchase: JSON.parse(r.purchase) as PurchaseContext } : {}),
    ...(r.authorization ? { authorization: JSON.parse(r.authorization) as Authorization } : {}),
  };
}

/** The writes, as SQL the writer thread prepares once; each names its row by the order's id. */
const write = {
  newOrder: `INSERT INTO orders (description, currency, amount, amt_exp10, brand, profile, reference, metadata,
      first_shipment_amount, terms, idempotency_key, input_fingerprint, state, created_at, updated_at)
    VALUES (@description, @currency, @amount, @amt_exp10, @brand, @profile, @reference, @metadata,
      @first_shipment_amount, @terms, @idempotency_key, @input_fingerprint, 'created', @at, @at) RETURNING id`,
  // In the same write as the INSERT above, so last_insert_rowid() is that order.
  newOrderLidM: "UPDATE orders SET lid_m = @prefix || id WHERE id = last_insert_rowid()",
  newOrderHistory: `INSERT INTO order_history (order_id, seq, state, at, detail)
    VALUES (last_insert_rowid(), 1, 'created', @at, 'order created')`,
  // Applies only while the order is still in the state the change was checked against.
  changeState: `UPDATE orders SET state = @state, updated_at = @at, xid = COALESCE(@xid, xid),
      purchase = COALESCE(@purchase, purchase), authorization = COALESCE(@authorization, authorization),
      waiting_for_gateway = COALESCE(@waiting, waiting_for_gateway)
    WHERE id = @id AND state = @expect`,
  changeFields: `UPDATE orders SET updated_at = @at, xid = COALESCE(@xid, xid),
      purchase = COALESCE(@purchase, purchase), authorization = COALESCE(@authorization, authorization),
      waiting_for_gateway = COALESCE(@waiting, waiting_for_gateway)
    WHERE id = @id`,
  history: `INSERT INTO order_history (order_id, seq, state, at, detail)
    SELECT @id, COALESCE(MAX(seq), 0) + 1, @state, @at, @detail FROM order_history WHERE order_id = @id`,
  message: `INSERT INTO messages (order_id, seq, sender, recipient, type, der, at)
    SELECT @id, COALESCE(MAX(seq), 0) + 1, @sender, @recipient, @type, @der, @at FROM messages WHERE order_id = @id`,
  issue: `INSERT INTO issued_purchases (xid, order_id, purchase, issued_at) VALUES (@xid, @id, @purchase, @at)`,
  dropExpired:
    "DELETE FROM issued_purchases WHERE order_id = @id AND taken_by IS NULL AND issued_at < @before",
  take: "UPDATE issued_purchases SET taken_by = @payer WHERE xid = @xid AND order_id = @id AND taken_by IS NULL",
  event: `INSERT INTO order_events (id, order_id, type, body, created_at, webhook_state, webhook_due_at)
    VALUES (@eventId, @id, @type, @body, @at, @webhookState, @dueAt)`,
  webhookDelivered: `UPDATE order_events SET webhook_state = 'delivered', webhook_attempts = webhook_attempts + 1,
      webhook_due_at = NULL, webhook_error = NULL WHERE id = @eventId AND webhook_state = 'pending'`,
  webhookFailed: `UPDATE order_events SET webhook_state = CASE WHEN @retryAt IS NULL THEN 'failed' ELSE 'pending' END,
      webhook_attempts = webhook_attempts + 1, webhook_due_at = @retryAt, webhook_error = @error
    WHERE id = @eventId AND webhook_state = 'pending'`,
  idempotency: `INSERT INTO idempotency (kind, key, order_id, request_hash, response)
    VALUES (@kind, @key, @id, @requestHash, @response) ${idempotencyUpsert}`,
  // The answer is the message the same write inserted @back messages before its last one: the
  // write's statements run one after another in its savepoint, so the order's highest seq is the
  // write's last message, whatever other writes share the transaction.
  idempotencyReference: `INSERT INTO idempotency (kind, key, order_id, request_hash, response, response_seq)
    SELECT @kind, @key, @id, @requestHash, NULL, MAX(seq) - @back FROM messages WHERE order_id = @id
    ${idempotencyUpsert}`,
};

/** The reads, prepared once when the repository opens. */
function prepareReads(db: Database.Database) {
  return {
    order: db.prepare("SELECT * FROM orders WHERE id = ?"),
    orderByLidM: db.prepare("SELECT * FROM orders WHERE lid_m = ?"),
    orderByXid: db.prepare("SELECT * FROM orders WHERE xid = ?"),
    orderByIssuedXid: db.prepare(
      "SELECT orders.* FROM issued_purchases JOIN orders ON orders.id = issued_purchases.order_id WHERE issued_purchases.xid = ?",
    ),
    issuedPurchase: db.prepare("SELECT * FROM issued_purchases WHERE xid = ?"),
    attemptsByPayer: db.prepare(
      "SELECT taken_by, COUNT(*) AS n FROM issued_purchases WHERE order_id = ? AND taken_by IS NOT NULL GROUP BY taken_by",
    ),
    ordersInState: db.prepare("SELECT * FROM orders WHERE state = ? ORDER BY id"),
    ordersWaitingForGateway: db.prepare("SELECT * FROM orders WHERE waiting_for_gateway = 1 ORDER BY id"),
    unansweredKeyedGatewayRequests: db.prepare(selectUnansweredKeyedGatewayRequests),
    state: db.prepare("SELECT state FROM orders WHERE id = ?"),
    history: db.prepare("SELECT state, at, detail FROM order_history WHERE order_id = ? ORDER BY seq"),
    messages: db.prepare(
      "SELECT seq, sender, recipient, type, der, at FROM messages WHERE order_id = ? ORDER BY seq",
    ),
    errorMessages: db.prepare("SELECT COUNT(*) AS n FROM messages WHERE order_id = ? AND type = 'error'"),
    idempotency: db.prepare(
      `SELECT i.order_id, i.request_hash, COALESCE(i.response, m.der) AS response FROM idempotency i
       LEFT JOIN messages m ON m.order_id = i.order_id AND m.seq = i.response_seq
       WHERE i.kind = ? AND i.key = ?`,
    ),
    orderByIdempotencyKey: db.prepare("SELECT * FROM orders WHERE idempotency_key = ?"),
    keyedGatewayRequest: db.prepare(selectKeyedGatewayRequest),
    events: db.prepare("SELECT body FROM order_events WHERE order_id = ? ORDER BY seq"),
    dueWebhooks: db.prepare(
      `SELECT id, body, webhook_attempts FROM order_events
       WHERE webhook_state = 'pending' AND webhook_due_at <= ? ORDER BY webhook_due_at, seq LIMIT ?`,
    ),
    nextWebhookAt: db.prepare(
      "SELECT MIN(webhook_due_at) AS due FROM order_events WHERE webhook_state = 'pending'",
    ),
  };
}

export class SqliteRepository implements MerchantRepository {
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepareReads>;
  private readonly writer: DurableWriter;

  /** Open (creating if needed) the database file; `:memory:` for a private in-memory one. */
  constructor(file: string) {
    // Orders, their messages and the cardholders' account ids: owner-only (docs/threat-model.md).
    ensureOwnerOnlyFile(file);
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // An order transition is on disk before the answer it records leaves: WAL's default (NORMAL)
    // could lose the last commits on a power cut. The writer thread's connection sets the same.
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    const olderStore =
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'orders'").get() !== undefined &&
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'issued_purchases'").get() === undefined;
    addOrderColumns(this.db);
    addRecoveryColumns(this.db);
    addAnswerReferenceColumn(this.db);
    this.db.exec(schemaSql);
    this.db.exec(keyedGatewayRequestSchema);
    if (olderStore) this.db.exec(issuedFromOrders);
    this.sql = prepareReads(this.db);
    this.writer = durableWriter(file, this.db, { pragmas: ["foreign_keys = ON"] });
  }

  async createOrder(
    order: NewOrder,
    at: Date,
    idempotency?: { readonly key: string; readonly fingerprint: string },
  ): Promise<Order> {
    const now = at.toISOString();
    const [created] = await this.writer.write([
      {
        sql: write.newOrder,
        params: {
          description: order.description,
          currency: order.purchAmt.currency,
          amount: order.purchAmt.amount,
          amt_exp10: order.purchAmt.amtExp10,
          brand: order.brand ?? null,
          profile: order.profile ?? "set",
          reference: order.reference ?? null,
          metadata: order.metadata ? JSON.stringify(order.metadata) : null,
          first_shipment_amount: order.firstShipmentAmount ?? null,
          terms: order.terms ? JSON.stringify(order.terms) : null,
          idempotency_key: idempotency?.key ?? null,
          input_fingerprint: idempotency?.fingerprint ?? null,
          at: now,
        },
        changes: 1,
      },
      { sql: write.newOrderLidM, params: { prefix: lidMPrefix }, changes: 1 },
      { sql: write.newOrderHistory, params: { at: now }, changes: 1 },
    ]);
    return (await this.order(created[0].id as number))!;
  }

  async orderByIdempotencyKey(key: string): Promise<{ order: Order; fingerprint: string } | undefined> {
    const r = this.sql.orderByIdempotencyKey.get(key) as
      | (OrderRow & { input_fingerprint: string | null })
      | undefined;
    return r && { order: toOrder(r), fingerprint: r.input_fingerprint ?? "" };
  }

  async events(orderId: number): Promise<OrderEvent[]> {
    return (this.sql.events.all(orderId) as { body: string }[]).map((r) => JSON.parse(r.body) as OrderEvent);
  }

  async dueWebhooks(at: string, limit: number): Promise<PendingWebhook[]> {
    const rows = this.sql.dueWebhooks.all(at, limit) as {
      id: string;
      body: string;
      webhook_attempts: number;
    }[];
    return rows.map((r) => ({ eventId: r.id, body: r.body, attempts: r.webhook_attempts }));
  }

  async nextWebhookAt(): Promise<string | undefined> {
    return (this.sql.nextWebhookAt.get() as { due: string | null }).due ?? undefined;
  }

  async webhookAttempted(eventId: string, attempt: WebhookAttempt, _at: Date): Promise<void> {
    await this.writer.write([
      attempt.delivered
        ? { sql: write.webhookDelivered, params: { eventId } }
        : { sql: write.webhookFailed, params: { eventId, retryAt: attempt.retryAt, error: attempt.error } },
    ]);
  }

  async order(id: number): Promise<Order | undefined> {
    const r = this.sql.order.get(id) as OrderRow | undefined;
    return r && toOrder(r);
  }

  async orderByLidM(lidM: string): Promise<Order | undefined> {
    const r = this.sql.orderByLidM.get(lidM) as OrderRow | undefined;
    return r && toOrder(r);
  }

  async orderByXid(xidHex: string): Promise<Order | undefined> {
    const r = (this.sql.orderByXid.get(xidHex) ?? this.sql.orderByIssuedXid.get(xidHex)) as
      | OrderRow
      | undefined;
    return r && toOrder(r);
  }

  async issuedPurchase(xidHex: string): Promise<IssuedPurchase | undefined> {
    const r = this.sql.issuedPurchase.get(xidHex) as
      | { xid: string; order_id: number; purchase: string; issued_at: string; taken_by: string | null }
      | undefined;
    if (!r) return undefined;
    return {
      orderId: r.order_id,
      xid: r.xid,
      purchase: JSON.parse(r.purchase) as PurchaseContext,
      issuedAt: r.issued_at,
      ...(r.taken_by !== null ? { takenBy: r.taken_by } : {}),
    };
  }

  async attemptsByPayer(orderId: number): Promise<ReadonlyMap<string, number>> {
    const rows = this.sql.attemptsByPayer.all(orderId) as { taken_by: string; n: number }[];
    return new Map(rows.map((r) => [r.taken_by, r.n]));
  }

  async ordersInState(state: OrderState): Promise<Order[]> {
    return (this.sql.ordersInState.all(state) as OrderRow[]).map(toOrder);
  }

  async ordersWaitingForGateway(): Promise<Order[]> {
    return (this.sql.ordersWaitingForGateway.all() as OrderRow[]).map(toOrder);
  }

  async history(orderId: number): Promise<HistoryEntry[]> {
    return this.sql.history.all(orderId) as HistoryEntry[];
  }

  async errorMessages(orderId: number): Promise<number> {
    return (this.sql.errorMessages.get(orderId) as { n: number }).n;
  }

  async messages(orderId: number): Promise<StoredMessage[]> {
    const rows = this.sql.messages.all(orderId) as {
      seq: number;
      sender: Party;
      recipient: Party;
      type: string;
      der: Buffer;
      at: string;
    }[];
    return rows.map((r) => ({
      seq: r.seq,
      from: r.sender,
      to: r.recipient,
      type: r.type,
      der: new Uint8Array(r.der),
      at: r.at,
    }));
  }

  async keyedGatewayRequest(
    kind: KeyedGatewayRequestKind,
    key: string,
  ): Promise<KeyedGatewayRequest | undefined> {
    const r = this.sql.keyedGatewayRequest.get(kind, key) as
      | Parameters<typeof toKeyedGatewayRequest>[0]
      | undefined;
    return r && toKeyedGatewayRequest(r);
  }

  async recordKeyedGatewayRequest(request: KeyedGatewayRequest, at: Date): Promise<void> {
    await this.writer.write([insertKeyedGatewayRequest(request, at)]);
  }

  async unansweredKeyedGatewayRequests(kind: KeyedGatewayRequestKind): Promise<KeyedGatewayRequest[]> {
    return (
      this.sql.unansweredKeyedGatewayRequests.all(kind) as Parameters<typeof toKeyedGatewayRequest>[0][]
    ).map(toKeyedGatewayRequest);
  }

  async keyedGatewayRequestAnswered(kind: KeyedGatewayRequestKind, rrpid: string, at: Date): Promise<void> {
    await this.writer.write([answerKeyedGatewayRequest(kind, rrpid, at)]);
  }

  async idempotency(kind: IdempotencyKind, key: string): Promise<IdempotencyRecord | undefined> {
    const r = this.sql.idempotency.get(kind, key) as
      | { order_id: number; request_hash: string; response: Buffer | null }
      | undefined;
    if (!r) return undefined;
    return {
      orderId: r.order_id,
      requestHash: r.request_hash,
      ...(r.response ? { response: new Uint8Array(r.response) } : {}),
    };
  }

  /**
   * The transitions are checked here against the state the change expects (or the order's state
   * now); the write itself applies only if the order is still in that state, so a change that
   * raced another one is refused whole (ConcurrentChangeError), never half applied.
   */
  async commit(change: OrderChange, at: Date): Promise<void> {
    const id = change.orderId;
    const now = at.toISOString();
    const transitions = change.transitions ?? [];
    const checkState = change.expect !== undefined || transitions.length > 0;
    const from = change.expect ?? this.stateOf(id);
    if (checkState) {
      if (from === undefined) throw new ConcurrentChangeError(`no order ${id}`);
      let state = from;
      for (const t of transitions) {
        checkTransition(state, t.to);
        state = t.to;
      }
    }
    const fields = {
      id,
      at: now,
      xid: change.xid ?? null,
      purchase: change.purchase ? JSON.stringify(change.purchase) : null,
      authorization: change.authorization ? JSON.stringify(change.authorization) : null,
      waiting: change.authorization ? (waitingRequestsOf(change.authorization).length > 0 ? 1 : 0) : null,
    };
    const statements: SqlStatement[] = [
      checkState
        ? {
            sql: write.changeState,
            params: { ...fields, state: transitions.at(-1)?.to ?? from!, expect: from! },
            changes: 1,
          }
        : { sql: write.changeFields, params: fields, changes: 1 },
      ...transitions.map((t) => ({
        sql: write.history,
        params: { id, state: t.to, at: now, detail: t.detail },
      })),
    ];
    const issue = change.issue;
    if (issue)
      statements.push(
        { sql: write.dropExpired, params: { id, before: issue.dropOutstandingBefore } },
        {
          sql: write.issue,
          params: { id, xid: issue.xid, purchase: JSON.stringify(issue.purchase), at: now },
          changes: 1,
        },
      );
    // Its index: a refusal there is a race with another PReq for the same XID.
    const takeAt = change.take ? statements.length : -1;
    if (change.take)
      statements.push({
        sql: write.take,
        params: { id, xid: change.take.xid, payer: change.take.payer },
        changes: 1,
      });
    const messages = change.messages ?? [];
    statements.push(
      ...messages.map((m) => ({
        sql: write.message,
        params: { id, sender: m.from, recipient: m.to, type: m.type, der: m.der, at: now },
      })),
    );
    for (const { event, webhook } of change.events ?? [])
      statements.push({
        sql: write.event,
        params: {
          eventId: event.id,
          id,
          type: event.type,
          body: JSON.stringify(event),
          at: now,
          webhookState: webhook ? "pending" : null,
          dueAt: webhook ? now : null,
        },
        changes: 1,
      });
    const i = change.idempotency;
    if (i) {
      const keys = { kind: i.kind, key: i.key, id, requestHash: i.requestHash };
      // The answer is kept once: as a reference when it is one of the messages (the last such).
      const answer = i.response;
      let sent = answer ? messages.length - 1 : -1;
      while (sent >= 0 && !(messages[sent].der === answer || bytesEqual(messages[sent].der, answer!))) sent--;
      statements.push(
        sent >= 0
          ? { sql: write.idempotencyReference, params: { ...keys, back: messages.length - 1 - sent } }
          : { sql: write.idempotency, params: { ...keys, response: answer ?? null } },
      );
    }
    try {
      await this.writer.write(statements);
    } catch (e) {
      if (!(e instanceof WriteRefusedError && (e.statement === 0 || e.statement === takeAt))) throw e;
      if (e.statement === takeAt) throw new ConcurrentChangeError(`XID ${change.take!.xid} is already taken`);
      const current = this.stateOf(id);
      throw new ConcurrentChangeError(
        current === undefined
          ? `no order ${id}`
          : `order ${id} is ${current}, not ${from} as the change expected`,
      );
    }
  }

  /** Commits what is queued, then closes. */
  async close(): Promise<void> {
    await this.writer.close();
    this.db.close();
  }

  private stateOf(id: number): OrderState | undefined {
    return (this.sql.state.get(id) as { state: OrderState } | undefined)?.state;
  }
}
