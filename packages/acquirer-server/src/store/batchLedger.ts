/**
 * The gateway's settlement batches (tables of the gateway's database, written by GatewayStore):
 * per merchant, batches numbered from 1, at most one open at a time; each capture booked into a
 * batch takes the next sequence number in it; a closed batch takes no more (the write that would
 * add an item to it is refused, whatever the caller decided). The answered BatchAdminReqs are kept
 * with their BatchAdminRes bytes, so a retry gets the same answer and a close is never done twice.
 */
import type { SqlStatement } from "@setlab/runtime";

export interface BatchRow {
  readonly merchantID: string;
  readonly batchID: number;
  readonly opened: string;
  readonly closed?: string;
}

/** One capture in a batch. */
export interface BatchItemRow {
  readonly merchantID: string;
  readonly batchID: number;
  readonly seq: number;
  /** Hex: the authorization captured (captures' key). */
  readonly authRRPID: string;
  readonly brand: string;
  /** Minor units of `currency` (ISO 4217 numeric). */
  readonly amount: number;
  readonly currency: number;
  readonly created: string;
}

/** A batch's total for one brand and currency. */
export interface BatchTotalRow {
  readonly brand: string;
  readonly currency: number;
  readonly itemCount: number;
  /** Minor units of `currency`. */
  readonly amount: number;
}

/** Where a CapReq's captures go: the batch (opened by this write when `open`) and each item's place. */
export interface BatchPlacement {
  readonly merchantID: string;
  /** A batch this write opens first (the merchant had none open). */
  readonly open?: { readonly batchID: number; readonly at: string };
  readonly items: readonly BatchItemRow[];
}

export interface BatchAdminRequestRow {
  /** Hex. */
  readonly rrpid: string;
  readonly merchantID: string;
  readonly requestHash: string;
  /** The MessageWrapper DER of the BatchAdminRes that answered it. */
  readonly response: Uint8Array;
  readonly created: string;
}

export const batchSchema = `
CREATE TABLE IF NOT EXISTS batches (
  merchant_id TEXT NOT NULL,
  batch_id INTEGER NOT NULL CHECK (batch_id > 0),
  opened TEXT NOT NULL,
  closed TEXT,
  PRIMARY KEY (merchant_id, batch_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS batches_one_open ON batches(merchant_id) WHERE closed IS NULL;
CREATE TABLE IF NOT EXISTS batch_items (
  auth_rrpid TEXT PRIMARY KEY REFERENCES captures(auth_rrpid),
  merchant_id TEXT NOT NULL,
  batch_id INTEGER NOT NULL,
  seq INTEGER NOT NULL CHECK (seq > 0),
  brand TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency INTEGER NOT NULL,
  created TEXT NOT NULL,
  UNIQUE (merchant_id, batch_id, seq),
  FOREIGN KEY (merchant_id, batch_id) REFERENCES batches(merchant_id, batch_id)
);
CREATE TABLE IF NOT EXISTS batch_admin_requests (
  rrpid TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  response BLOB NOT NULL,
  created TEXT NOT NULL
);
`;

export const batchQueries = {
  batch: "SELECT * FROM batches WHERE merchant_id = ? AND batch_id = ?",
  openBatch: "SELECT * FROM batches WHERE merchant_id = ? AND closed IS NULL",
  lastBatchID: "SELECT COALESCE(MAX(batch_id), 0) AS last FROM batches WHERE merchant_id = ?",
  itemCount: "SELECT COUNT(*) AS n FROM batch_items WHERE merchant_id = ? AND batch_id = ?",
  items: "SELECT * FROM batch_items WHERE merchant_id = ? AND batch_id = ? ORDER BY seq",
  totals: `SELECT brand, currency, COUNT(*) AS item_count, SUM(amount) AS amount FROM batch_items
    WHERE merchant_id = ? AND batch_id = ? GROUP BY brand, currency ORDER BY brand, currency`,
  adminRequest: "SELECT * FROM batch_admin_requests WHERE rrpid = ?",
} as const;

export interface BatchRecord {
  merchant_id: string;
  batch_id: number;
  opened: string;
  closed: string | null;
}

export interface BatchItemRecord {
  auth_rrpid: string;
  merchant_id: string;
  batch_id: number;
  seq: number;
  brand: string;
  amount: number;
  currency: number;
  created: string;
}

export interface BatchAdminRequestRecord {
  rrpid: string;
  merchant_id: string;
  request_hash: string;
  response: Buffer;
  created: string;
}

export const toBatch = (r: BatchRecord): BatchRow => ({
  merchantID: r.merchant_id,
  batchID: r.batch_id,
  opened: r.opened,
  ...(r.closed !== null ? { closed: r.closed } : {}),
});

export const toBatchItem = (r: BatchItemRecord): BatchItemRow => ({
  merchantID: r.merchant_id,
  batchID: r.batch_id,
  seq: r.seq,
  authRRPID: r.auth_rrpid,
  brand: r.brand,
  amount: r.amount,
  currency: r.currency,
  created: r.created,
});

export const toBatchAdminRequest = (r: BatchAdminRequestRecord): BatchAdminRequestRow => ({
  rrpid: r.rrpid,
  merchantID: r.merchant_id,
  requestHash: r.request_hash,
  response: new Uint8Array(r.response),
  created: r.created,
});

export const openBatchStatement = (merchantID: string, batchID: number, at: string): SqlStatement => ({
  sql: "INSERT INTO batches (merchant_id, batch_id, opened) VALUES (?, ?, ?)",
  params: [merchantID, batchID, at],
});

/** The captures' batch items, after the capture rows (their key); a closed batch refuses the write. */
export function placementWrite(placement: BatchPlacement): SqlStatement[] {
  const statements: SqlStatement[] = [];
  if (placement.open)
    statements.push(openBatchStatement(placement.merchantID, placement.open.batchID, placement.open.at));
  for (const i of placement.items)
    statements.push({
      sql: `INSERT INTO batch_items (auth_rrpid, merchant_id, batch_id, seq, brand, amount, currency, created)
        SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS
          (SELECT 1 FROM batches WHERE merchant_id = ? AND batch_id = ? AND closed IS NULL)`,
      params: [
        i.authRRPID,
        i.merchantID,
        i.batchID,
        i.seq,
        i.brand,
        i.amount,
        i.currency,
        i.created,
        i.merchantID,
        i.batchID,
      ],
      changes: 1,
    });
  return statements;
}

/** What a BatchAdminReq changes, with its answer: one write. */
export interface BatchAdminChange {
  readonly request: BatchAdminRequestRow;
  readonly open?: { readonly batchID: number; readonly at: string };
  readonly close?: { readonly batchID: number; readonly at: string };
}

export function batchAdminWrite(change: BatchAdminChange): SqlStatement[] {
  const { request } = change;
  const statements: SqlStatement[] = [];
  if (change.open)
    statements.push(openBatchStatement(request.merchantID, change.open.batchID, change.open.at));
  if (change.close)
    statements.push({
      sql: "UPDATE batches SET closed = ? WHERE merchant_id = ? AND batch_id = ? AND closed IS NULL",
      params: [change.close.at, request.merchantID, change.close.batchID],
      changes: 1,
    });
  statements.push({
    sql: `INSERT INTO batch_admin_requests (rrpid, merchant_id, request_hash, response, created)
      VALUES (?, ?, ?, ?, ?)`,
    params: [request.rrpid, request.merchantID, request.requestHash, request.response, request.created],
  });
  return statements;
}
