/**
 * The gateway's ledger of authorization reversals (a table of the gateway's database, written by
 * GatewayStore): one row per answered AuthRevReq, keyed by its AuthRevRRPID, with its fingerprint
 * and the AuthRevRes bytes a retry gets; and, in the same write, the authorization's hold shrunk
 * to the new amount or, for a cancellation, released.
 */
import type { SqlStatement } from "@setlab/runtime";

export interface AuthReversalRow {
  /** Hex. */
  readonly authRevRRPID: string;
  /** Hex: the authorization the request named (maybe none on record, for a refusal). */
  readonly authRRPID: string;
  readonly merchantID: string;
  /** Hex SHA-256 of the opened request (AuthRevReqData DER, then the baggage DER). */
  readonly requestHash: string;
  readonly authRevCode: string;
  /** The MessageWrapper DER of the AuthRevRes that answered it. */
  readonly response: Uint8Array;
  readonly created: string;
}

/** What an approved reversal does to the authorization's hold (minor units of its currency). */
export interface HoldChange {
  /** What it held before: the write is refused if it holds anything else by then. */
  readonly from: number;
  /** What it holds after; 0 releases the hold. */
  readonly to: number;
}

export const authReversalSchema = `
CREATE TABLE IF NOT EXISTS auth_reversals (
  auth_rev_rrpid TEXT PRIMARY KEY,
  auth_rrpid TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  auth_rev_code TEXT NOT NULL,
  new_amount INTEGER CHECK (new_amount >= 0),
  response BLOB NOT NULL,
  created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_reversals_auth ON auth_reversals(auth_rrpid);
`;

export const selectAuthReversal = "SELECT * FROM auth_reversals WHERE auth_rev_rrpid = ?";

export interface AuthReversalRecord {
  auth_rev_rrpid: string;
  auth_rrpid: string;
  merchant_id: string;
  request_hash: string;
  auth_rev_code: string;
  new_amount: number | null;
  response: Buffer;
  created: string;
}

export const toAuthReversal = (r: AuthReversalRecord): AuthReversalRow => ({
  authRevRRPID: r.auth_rev_rrpid,
  authRRPID: r.auth_rrpid,
  merchantID: r.merchant_id,
  requestHash: r.request_hash,
  authRevCode: r.auth_rev_code,
  response: new Uint8Array(r.response),
  created: r.created,
});

/**
 * One answered AuthRevReq as one all-or-nothing write: its row and, when approved, the hold
 * changed. The hold changes only if it still holds `from`, live, and the authorization has no
 * capture: a reversal decided on a stale view (a capture or another reversal committed in
 * between) refuses the whole write, so nothing is applied twice.
 */
export function authReversalWrite(row: AuthReversalRow, hold?: HoldChange): SqlStatement[] {
  const statements: SqlStatement[] = [
    {
      sql: `INSERT INTO auth_reversals (auth_rev_rrpid, auth_rrpid, merchant_id, request_hash, auth_rev_code,
          new_amount, response, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [
        row.authRevRRPID,
        row.authRRPID,
        row.merchantID,
        row.requestHash,
        row.authRevCode,
        hold ? hold.to : null,
        row.response,
        row.created,
      ],
    },
  ];
  if (hold)
    statements.push({
      // A cancellation ends the hold now; a reduction keeps its lapse time.
      sql: `UPDATE authorizations SET held = ?, hold_until = CASE WHEN ? = 0 THEN ? ELSE hold_until END
          WHERE auth_rrpid = ? AND held = ? AND held > 0 AND (hold_until IS NULL OR hold_until > ?)
          AND NOT EXISTS (SELECT 1 FROM captures WHERE captures.auth_rrpid = authorizations.auth_rrpid)`,
      params: [hold.to, hold.to, row.created, row.authRRPID, hold.from, row.created],
      changes: 1,
    });
  return statements;
}
