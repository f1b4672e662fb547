/**
 * The gateway's ledger of capture reversals, credits and credit reversals (tables of the
 * gateway's database, written by GatewayStore): one row per answered CapRevReq, CredReq or
 * CredRevReq (its kind, fingerprint and answer bytes, for retries); one row per item booked
 * against a capture, unique per (capture, kind, CapRevOrCredReqDate) so the same request under
 * new ids can never be booked twice; and the issuer's side. A capture reversal removes the
 * capture's posting; a credit is a posting that returns money to the account, a credit reversal
 * one that takes it back (`credit_postings`, signed: negative returns money).
 */
import type { CapRevOrCredKind } from "@setlab/protocol";
import type { SqlStatement } from "@setlab/runtime";

export interface CapRevOrCredRequestRow {
  /** Hex: CapRevOrCredRRTags' RRPID. */
  readonly rrpid: string;
  readonly kind: CapRevOrCredKind;
  readonly merchantID: string;
  /** Hex SHA-256 of the opened request (its data DER, then the CapTokenSeq DER). */
  readonly requestHash: string;
  /** The MessageWrapper DER of the answer. */
  readonly response: Uint8Array;
  readonly created: string;
}

/** One item booked: what it moved, against which capture, and the account it moved on. */
export interface CapRevOrCredRow {
  /** Hex: the authorization whose capture it acts on. */
  readonly authRRPID: string;
  readonly kind: CapRevOrCredKind;
  /** CapRevOrCredReqDate (ISO): with the capture and kind, what tells a new request from the same one. */
  readonly reqDate: string;
  /** Minor units of `currency`, above zero. */
  readonly amount: number;
  readonly currency: number;
  readonly cardId: string;
}

export const creditSchema = `
CREATE TABLE IF NOT EXISTS cap_rev_or_cred_requests (
  rrpid TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('captureReversal', 'credit', 'creditReversal')),
  merchant_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  response BLOB NOT NULL,
  created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cap_rev_or_creds (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  auth_rrpid TEXT NOT NULL REFERENCES captures(auth_rrpid),
  rrpid TEXT NOT NULL REFERENCES cap_rev_or_cred_requests(rrpid),
  kind TEXT NOT NULL CHECK (kind IN ('captureReversal', 'credit', 'creditReversal')),
  req_date TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency INTEGER NOT NULL,
  created TEXT NOT NULL,
  UNIQUE (auth_rrpid, kind, req_date)
);
-- A capture is reversed once at most.
CREATE UNIQUE INDEX IF NOT EXISTS cap_rev_once ON cap_rev_or_creds(auth_rrpid) WHERE kind = 'captureReversal';
CREATE TABLE IF NOT EXISTS credit_postings (
  id INTEGER PRIMARY KEY REFERENCES cap_rev_or_creds(id),
  auth_rrpid TEXT NOT NULL REFERENCES captures(auth_rrpid),
  card_id TEXT NOT NULL REFERENCES accounts(card_id),
  amount INTEGER NOT NULL CHECK (amount <> 0),
  created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS credit_postings_card ON credit_postings(card_id);
`;

export const selectCapRevOrCredRequest = "SELECT * FROM cap_rev_or_cred_requests WHERE rrpid = ?";
export const selectCapRevOrCredsOfCapture =
  "SELECT kind, req_date, amount FROM cap_rev_or_creds WHERE auth_rrpid = ? ORDER BY id";
export const selectCreditPostingsOfAccount =
  "SELECT COALESCE(SUM(amount), 0) AS posted FROM credit_postings WHERE card_id = ?";

export interface CapRevOrCredRequestRecord {
  rrpid: string;
  kind: CapRevOrCredKind;
  merchant_id: string;
  request_hash: string;
  response: Buffer;
  created: string;
}

export const toCapRevOrCredRequest = (r: CapRevOrCredRequestRecord): CapRevOrCredRequestRow => ({
  rrpid: r.rrpid,
  kind: r.kind,
  merchantID: r.merchant_id,
  requestHash: r.request_hash,
  response: new Uint8Array(r.response),
  created: r.created,
});

/**
 * One answered request as one all-or-nothing write: the request row, then per item booked its
 * row and the issuer's side. A capture reversal deletes the capture's posting (refused unless
 * exactly one was there); a credit posts minus its amount, a credit reversal plus. A second
 * booking of the same item (same capture, kind and date) or a second capture reversal fails on
 * the unique keys and takes the whole write with it.
 */
export function capRevOrCredWrite(
  request: CapRevOrCredRequestRow,
  rows: readonly CapRevOrCredRow[],
): SqlStatement[] {
  const statements: SqlStatement[] = [
    {
      sql: `INSERT INTO cap_rev_or_cred_requests (rrpid, kind, merchant_id, request_hash, response, created)
        VALUES (?, ?, ?, ?, ?, ?)`,
      params: [
        request.rrpid,
        request.kind,
        request.merchantID,
        request.requestHash,
        request.response,
        request.created,
      ],
    },
  ];
  for (const r of rows) {
    statements.push({
      sql: `INSERT INTO cap_rev_or_creds (auth_rrpid, rrpid, kind, req_date, amount, currency, created)
        VALUES (?, ?, ?, ?, ?, ?, ?)`,
      params: [r.authRRPID, request.rrpid, r.kind, r.reqDate, r.amount, r.currency, request.created],
    });
    if (r.kind === "captureReversal")
      statements.push({
        sql: "DELETE FROM postings WHERE auth_rrpid = ? AND amount = ?",
        params: [r.authRRPID, r.amount],
        changes: 1,
      });
    else
      statements.push({
        sql: `INSERT INTO credit_postings (id, auth_rrpid, card_id, amount, created)
          VALUES (last_insert_rowid(), ?, ?, ?, ?)`,
        params: [r.authRRPID, r.cardId, r.kind === "credit" ? -r.amount : r.amount, request.created],
      });
  }
  return statements;
}
