/**
 * The gateway's ledger of captures (tables of the gateway's database, written by GatewayStore):
 * one row per answered CapReq (its fingerprint and the CapRes bytes a retry gets), one capture per
 * authorization at most (its primary key is the AuthRRPID, so the same authorization is never
 * captured twice, whatever the request), and the issuer's posting that replaces the hold.
 */
import type { SqlStatement } from "@setlab/runtime";

export interface CaptureRequestRow {
  /** Hex. */
  readonly capRRPID: string;
  readonly merchantID: string;
  /** Hex SHA-256 of the opened request (CapReqData DER, then the CapTokenSeq DER). */
  readonly requestHash: string;
  /** The MessageWrapper DER of the CapRes that answered it. */
  readonly response: Uint8Array;
  readonly created: string;
}

/** One authorization captured, and what the issuer books for it. */
export interface CaptureRow {
  /** Hex: the authorization captured. */
  readonly authRRPID: string;
  /** The CapReq that captured it; absent for a sale (captured by its AuthReq). */
  readonly capRRPID?: string;
  /** Captured, in minor units of `currency` (ISO 4217 numeric). */
  readonly amount: number;
  readonly currency: number;
  /** The issuer's side: the account whose hold on this authorization becomes a posting of `amount`. */
  readonly cardId: string;
  readonly created: string;
}

export const captureSchema = `
CREATE TABLE IF NOT EXISTS capture_requests (
  cap_rrpid TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  response BLOB NOT NULL,
  created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS captures (
  auth_rrpid TEXT PRIMARY KEY REFERENCES authorizations(auth_rrpid),
  cap_rrpid TEXT REFERENCES capture_requests(cap_rrpid),
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency INTEGER NOT NULL,
  created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS postings (
  auth_rrpid TEXT PRIMARY KEY REFERENCES captures(auth_rrpid),
  card_id TEXT NOT NULL REFERENCES accounts(card_id),
  amount INTEGER NOT NULL CHECK (amount > 0),
  created TEXT NOT NULL
);
`;

export const selectCaptureRequest = "SELECT * FROM capture_requests WHERE cap_rrpid = ?";
export const selectCapture = "SELECT * FROM captures WHERE auth_rrpid = ?";
export const selectPostingsOfAccount =
  "SELECT COALESCE(SUM(amount), 0) AS posted FROM postings WHERE card_id = ?";

export interface CaptureRequestRecord {
  cap_rrpid: string;
  merchant_id: string;
  request_hash: string;
  response: Buffer;
  created: string;
}

export interface CaptureRecord {
  auth_rrpid: string;
  cap_rrpid: string | null;
  amount: number;
  currency: number;
  created: string;
}

export const toCaptureRequest = (r: CaptureRequestRecord): CaptureRequestRow => ({
  capRRPID: r.cap_rrpid,
  merchantID: r.merchant_id,
  requestHash: r.request_hash,
  response: new Uint8Array(r.response),
  created: r.created,
});

/**
 * One answered CapReq as one all-or-nothing write: the request row, then per capture its row, the
 * hold ended (refused unless the authorization still holds a live amount) and the posting. A second capture of
 * an authorization fails on the captures key and takes the whole write with it.
 */
export function captureWrite(request: CaptureRequestRow, captures: readonly CaptureRow[]): SqlStatement[] {
  const statements: SqlStatement[] = [
    {
      sql: `INSERT INTO capture_requests (cap_rrpid, merchant_id, request_hash, response, created)
        VALUES (?, ?, ?, ?, ?)`,
      params: [request.capRRPID, request.merchantID, request.requestHash, request.response, request.created],
    },
  ];
  for (const c of captures)
    statements.push(...bookCapture(c), {
      // The hold ends when the capture is booked; a hold no longer live refuses the write.
      sql: `UPDATE authorizations SET hold_until = ? WHERE auth_rrpid = ? AND held > 0
          AND (hold_until IS NULL OR hold_until > ?)`,
      params: [c.created, c.authRRPID, c.created],
      changes: 1,
    });
  return statements;
}

/** The capture row and the issuer's posting; for a sale, written with its authorization. */
export function bookCapture(c: CaptureRow): SqlStatement[] {
  return [
    {
      sql: "INSERT INTO captures (auth_rrpid, cap_rrpid, amount, currency, created) VALUES (?, ?, ?, ?, ?)",
      params: [c.authRRPID, c.capRRPID ?? null, c.amount, c.currency, c.created],
    },
    {
      sql: "INSERT INTO postings (auth_rrpid, card_id, amount, created) VALUES (?, ?, ?, ?)",
      params: [c.authRRPID, c.cardId, c.amount, c.created],
    },
  ];
}
