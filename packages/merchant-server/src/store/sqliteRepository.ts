/**
 * The merchant's repository in one SQLite file (better-sqlite3, WAL): orders, order_history,
 * messages (DER blobs) and idempotency (stored answers keyed by request RRPID). Every `commit` is
 * one SQLite transaction.
 */
import Database from "better-sqlite3";
import type {
  Authorization,
  HistoryEntry,
  NewOrder,
  Order,
  Party,
  PurchaseContext,
  StoredMessage,
} from "../core/order";
import { lidMOf } from "../core/order";
import { checkTransition, type OrderState } from "../core/orderState";
import {
  ConcurrentChangeError,
  type IdempotencyKind,
  type IdempotencyRecord,
  type MerchantRepository,
  type OrderChange,
} from "./repository";

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
  state TEXT NOT NULL,
  xid TEXT UNIQUE,
  purchase TEXT,
  authorization TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- Startup recovery and the periodic settlement of authorizations in doubt look orders up by state.
CREATE INDEX IF NOT EXISTS orders_by_state ON orders (state);
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
CREATE TABLE IF NOT EXISTS idempotency (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  request_hash TEXT NOT NULL,
  response BLOB,
  PRIMARY KEY (kind, key)
);
`;

interface OrderRow {
  id: number;
  lid_m: string;
  description: string;
  currency: number;
  amount: number;
  amt_exp10: number;
  brand: string | null;
  profile: "set" | "hardened";
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
    state: r.state,
    createdAt: r.created_at,
    ...(r.xid ? { xid: r.xid } : {}),
    ...(r.purchase ? { purchase: JSON.parse(r.purchase) as PurchaseContext } : {}),
    ...(r.authorization ? { authorization: JSON.parse(r.authorization) as Authorization } : {}),
  };
}

export class SqliteRepository implements MerchantRepository {
  private readonly db: Database.Database;

  /** Open (creating if needed) the database file; `:memory:` for a private in-memory one. */
  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(schemaSql);
  }

  async createOrder(order: NewOrder, at: Date): Promise<Order> {
    const now = at.toISOString();
    const id = this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO orders (description, currency, amount, amt_exp10, brand, profile, state, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 'created', ?, ?)`,
        )
        .run(
          order.description,
          order.purchAmt.currency,
          order.purchAmt.amount,
          order.purchAmt.amtExp10,
          order.brand ?? null,
          order.profile ?? "set",
          now,
          now,
        );
      const id = Number(info.lastInsertRowid);
      this.db.prepare("UPDATE orders SET lid_m = ? WHERE id = ?").run(lidMOf(id), id);
      this.db
        .prepare(
          "INSERT INTO order_history (order_id, seq, state, at, detail) VALUES (?, 1, 'created', ?, ?)",
        )
        .run(id, now, "order created");
      return id;
    })();
    return (await this.order(id))!;
  }

  async order(id: number): Promise<Order | undefined> {
    const r = this.db.prepare("SELECT * FROM orders WHERE id = ?").get(id) as OrderRow | undefined;
    return r && toOrder(r);
  }

  async orderByLidM(lidM: string): Promise<Order | undefined> {
    const r = this.db.prepare("SELECT * FROM orders WHERE lid_m = ?").get(lidM) as OrderRow | undefined;
    return r && toOrder(r);
  }

  async orderByXid(xidHex: string): Promise<Order | undefined> {
    const r = this.db.prepare("SELECT * FROM orders WHERE xid = ?").get(xidHex) as OrderRow | undefined;
    return r && toOrder(r);
  }

  async ordersInState(state: OrderState): Promise<Order[]> {
    return (this.db.prepare("SELECT * FROM orders WHERE state = ? ORDER BY id").all(state) as OrderRow[]).map(
      toOrder,
    );
  }

  async history(orderId: number): Promise<HistoryEntry[]> {
    return this.db
      .prepare("SELECT state, at, detail FROM order_history WHERE order_id = ? ORDER BY seq")
      .all(orderId) as HistoryEntry[];
  }

  async messages(orderId: number): Promise<StoredMessage[]> {
    const rows = this.db
      .prepare("SELECT seq, sender, recipient, type, der, at FROM messages WHERE order_id = ? ORDER BY seq")
      .all(orderId) as {
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

  async idempotency(kind: IdempotencyKind, key: string): Promise<IdempotencyRecord | undefined> {
    const r = this.db
      .prepare("SELECT order_id, request_hash, response FROM idempotency WHERE kind = ? AND key = ?")
      .get(kind, key) as { order_id: number; request_hash: string; response: Buffer | null } | undefined;
    if (!r) return undefined;
    return {
      orderId: r.order_id,
      requestHash: r.request_hash,
      ...(r.response ? { response: new Uint8Array(r.response) } : {}),
    };
  }

  async commit(change: OrderChange, at: Date): Promise<void> {
    const now = at.toISOString();
    this.db.transaction(() => {
      const row = this.db.prepare("SELECT state FROM orders WHERE id = ?").get(change.orderId) as
        | { state: OrderState }
        | undefined;
      if (!row) throw new ConcurrentChangeError(`no order ${change.orderId}`);
      if (change.expect !== undefined && row.state !== change.expect)
        throw new ConcurrentChangeError(
          `order ${change.orderId} is ${row.state}, not ${change.expect} as the change expected`,
        );
      let state = row.state;
      let seq = (
        this.db
          .prepare("SELECT COALESCE(MAX(seq), 0) AS n FROM order_history WHERE order_id = ?")
          .get(change.orderId) as { n: number }
      ).n;
      for (const t of change.transitions ?? []) {
        checkTransition(state, t.to);
        state = t.to;
        this.db
          .prepare("INSERT INTO order_history (order_id, seq, state, at, detail) VALUES (?, ?, ?, ?, ?)")
          .run(change.orderId, ++seq, t.to, now, t.detail);
      }
      this.db
        .prepare(
          `UPDATE orders SET state = ?, updated_at = ?,
             xid = COALESCE(?, xid), purchase = COALESCE(?, purchase), authorization = COALESCE(?, authorization)
           WHERE id = ?`,
        )
        .run(
          state,
          now,
          change.xid ?? null,
          change.purchase ? JSON.stringify(change.purchase) : null,
          change.authorization ? JSON.stringify(change.authorization) : null,
          change.orderId,
        );
      let mseq = (
        this.db
          .prepare("SELECT COALESCE(MAX(seq), 0) AS n FROM messages WHERE order_id = ?")
          .get(change.orderId) as { n: number }
      ).n;
      for (const m of change.messages ?? [])
        this.db
          .prepare(
            "INSERT INTO messages (order_id, seq, sender, recipient, type, der, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
          )
          .run(change.orderId, ++mseq, m.from, m.to, m.type, Buffer.from(m.der), now);
      const i = change.idempotency;
      if (i)
        this.db
          .prepare(
            `INSERT INTO idempotency (kind, key, order_id, request_hash, response) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (kind, key) DO UPDATE SET response = excluded.response
             WHERE idempotency.request_hash = excluded.request_hash`,
          )
          .run(i.kind, i.key, change.orderId, i.requestHash, i.response ? Buffer.from(i.response) : null);
    })();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
