/**
 * The gateway's settlement batches (tables of the gateway's database, written by GatewayStore):
 * per merchant, batches numbered from 1, at most one open at a time. A batch's items are what
 * moved money for the merchant while it was open: captures, capture reversals, credits and credit
 * reversals, each booked into a batch with the next sequence number in it, in the same write as
 * the ledger change it records; a closed batch takes no more (the write that would add an item to
 * it is refused, whatever the caller decided). A capture reversal is a negative sales item, a
 * credit reversal a negative credit item: a batch's totals are sums over its items, nothing is
 * ever removed. The answered BatchAdminReqs are kept with their BatchAdminRes bytes, so a retry
 * gets the same answer and a close is never done twice.
 */
import type { CapRevOrCredKind } from "@setlab/protocol";
import type { SqlStatement } from "@setlab/runtime";

export interface BatchRow {
  readonly merchantID: string;
  readonly batchID: number;
  readonly opened: string;
  readonly closed?: string;
}

/** What a batch item records: a capture, or a request acting on one (creditLedger.ts). */
export type BatchItemKind = "capture" | CapRevOrCredKind;

/** Sales items move money to the merchant (a capture reversal takes it back); credit items to the cardholder. */
export const salesKinds: readonly BatchItemKind[] = ["capture", "captureReversal"];
/** The kinds whose amount counts against its side's total. */
export const negativeKinds: readonly BatchItemKind[] = ["captureReversal", "creditReversal"];

/** One item of a batch. */
export interface BatchItemRow {
  readonly merchantID: string;
  readonly batchID: number;
  readonly seq: number;
  readonly kind: BatchItemKind;
  /** Hex: the authorization whose capture it is or acts on (captures' key). */
  readonly authRRPID: string;
  /** For a request's item: its CapRevOrCredReqDate (ISO), which with the AuthRRPID and kind names its ledger row. */
  readonly reqDate?: string;
  readonly brand: string;
  /** Minor units of `currency` (ISO 4217 numeric), above zero; `kind` says which way it moves. */
  readonly amount: number;
  readonly currency: number;
  readonly created: string;
}

/** A batch's total for one brand and currency: its sales and credit items, amounts in minor units. */
export interface BatchTotalRow {
  readonly brand: string;
  readonly currency: number;
  readonly salesCount: number;
  /** Captures less capture reversals. */
  readonly salesAmount: number;
  readonly creditCount: number;
  /** Credits less credit reversals. */
  readonly creditAmount: number;
}

/** Where a request's items go: the batch (opened by this write when `open`) and each item's place. */
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
  merchant_id TEXT NOT NULL,
  batch_id INTEGER NOT NULL,
  seq INTEGER NOT NULL CHECK (seq > 0),
  kind TEXT NOT NULL CHECK (kind IN ('capture', 'captureReversal', 'credit', 'creditReversal')),
  auth_rrpid TEXT NOT NULL REFERENCES captures(auth_rrpid),
  -- The ledger row of a capture reversal, credit or credit reversal; none for a capture.
  entry_id INTEGER REFERENCES cap_rev_or_creds(id),
  brand TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency INTEGER NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY (merchant_id, batch_id, seq),
  FOREIGN KEY (merchant_id, batch_id) REFERENCES batches(merchant_id, batch_id),
  CHECK ((kind = 'capture') = (entry_id IS NULL))
);
-- A capture, and each ledger row, is in one batch at most.
CREATE UNIQUE INDEX IF NOT EXISTS batch_items_capture ON batch_items(auth_rrpid) WHERE kind = 'capture';
CREATE UNIQUE INDEX IF NOT EXISTS batch_items_entry ON batch_items(entry_id);
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
  items: `SELECT i.*, c.req_date FROM batch_items i LEFT JOIN cap_rev_or_creds c ON c.id = i.entry_id
    WHERE i.merchant_id = ? AND i.batch_id = ? ORDER BY i.seq`,
  totals: `SELECT brand, currency,
      SUM(kind IN ('capture', 'captureReversal')) AS sales_count,
      SUM(CASE kind WHEN 'capture' THEN amount WHEN 'captureReversal' THEN -amount ELSE 0 END) AS sales_amount,
      SUM(kind IN ('credit', 'creditReversal')) AS credit_count,
      SUM(CASE kind WHEN 'credit' THEN amount WHEN 'creditReversal' THEN -amount ELSE 0 END) AS credit_amount
    FROM batch_items WHERE merchant_id = ? AND batch_id = ? GROUP BY brand, currency ORDER BY brand, currency`,
  /** Whether the capture's batch is closed (no row: the capture is in no batch). */
  captureSettled: `SELECT b.closed IS NOT NULL AS settled FROM batch_items i
    JOIN batches b ON b.merchant_id = i.merchant_id AND b.batch_id = i.batch_id
    WHERE i.auth_rrpid = ? AND i.kind = 'capture'`,
  /** What stands credited against the capture in open batches: credits less credit reversals there. */
  openCredit: `SELECT COALESCE(SUM(CASE i.kind WHEN 'credit' THEN i.amount ELSE -i.amount END), 0) AS credit
    FROM batch_items i JOIN batches b ON b.merchant_id = i.merchant_id AND b.batch_id = i.batch_id
    WHERE i.auth_rrpid = ? AND i.kind IN ('credit', 'creditReversal') AND b.closed IS NULL`,
  adminRequest: "SELECT * FROM batch_admin_requests WHERE rrpid = ?",
} as const;

export interface BatchRecord {
  merchant_id: string;
  batch_id: number;
  opened: string;
  closed: string | null;
}

export interface BatchItemRecord {
  merchant_id: string;
  batch_id: number;
  seq: number;
  kind: BatchItemKind;
  auth_rrpid: string;
  req_date: string | null;
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
  kind: r.kind,
  authRRPID: r.auth_rrpid,
  ...(r.req_date !== null ? { reqDate: r.req_date } : {}),
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

/**
 * The items' batch rows, after the ledger rows they record (a capture's row, or its request's
 * cap_rev_or_creds row, found by its unique AuthRRPID, kind and date); a closed batch refuses the
 * write.
 */
export function placementWrite(placement: BatchPlacement): SqlStatement[] {
  const statements: SqlStatement[] = [];
  if (placement.open)
    statements.push(openBatchStatement(placement.merchantID, placement.open.batchID, placement.open.at));
  for (const i of placement.items)
    statements.push({
      sql: `INSERT INTO batch_items (merchant_id, batch_id, seq, kind, auth_rrpid, entry_id, brand, amount, currency, created)
        SELECT ?, ?, ?, ?, ?,
          (SELECT id FROM cap_rev_or_creds WHERE auth_rrpid = ? AND kind = ? AND req_date = ?), ?, ?, ?, ?
        WHERE EXISTS (SELECT 1 FROM batches WHERE merchant_id = ? AND batch_id = ? AND closed IS NULL)`,
      params: [
        i.merchantID,
        i.batchID,
        i.seq,
        i.kind,
        i.authRRPID,
        i.authRRPID,
        i.kind,
        i.reqDate ?? null,
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

/**
 * A database from before credits were batch items keeps its captures' items: the table is rebuilt
 * in the shape above, each old row a capture. Run inside the store's opening, before the schema.
 */
export const batchItemsBeforeKinds = "ALTER TABLE batch_items RENAME TO batch_items_captures";
export const batchItemsFromCaptures = `
INSERT INTO batch_items (merchant_id, batch_id, seq, kind, auth_rrpid, brand, amount, currency, created)
  SELECT merchant_id, batch_id, seq, 'capture', auth_rrpid, brand, amount, currency, created FROM batch_items_captures;
DROP TABLE batch_items_captures;
`;
