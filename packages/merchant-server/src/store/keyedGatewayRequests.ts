/**
 * The merchant's back-office requests to its gateway made under the shop's idempotency key
 * (`Merchant.captureMany`, `closeBatch`), and every CapReq of `captureMany` under its CapRRPID:
 * the request bytes, kept before they are sent, so a repeat of the call sends the same bytes (the
 * gateway answers a repeat with its stored answer) instead of acting twice under a new RRPID.
 */
import type { SqlStatement } from "@setlab/runtime";

export type KeyedGatewayRequestKind = "captureMany" | "batchAdmin";

/** The key every CapReq of `captureMany` is also kept under, whatever the shop's: its CapRRPID (hex). */
export const capRRPIDKey = (capRRPID: string) => `capRRPID:${capRRPID}`;

export interface KeyedGatewayRequest {
  readonly kind: KeyedGatewayRequestKind;
  /** The shop's idempotency key. */
  readonly key: string;
  /** SHA-256 (hex) of the call's input: the same key with other input is refused. */
  readonly fingerprint: string;
  /** Hex: the RRPID of the request. */
  readonly rrpid: string;
  /** The MessageWrapper DER sent. */
  readonly request: Uint8Array;
  /**
   * The call's input as JSON (captureMany: its items and batch; batchAdmin: operation, batch and
   * brand), so recovery can make the same call again; absent in requests kept before it was.
   */
  readonly input?: string;
  /** A usable answer was recorded; until then recovery sends the request again. */
  readonly answered?: boolean;
}

export const keyedGatewayRequestSchema = `
CREATE TABLE IF NOT EXISTS keyed_gateway_requests (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  rrpid TEXT NOT NULL,
  request BLOB NOT NULL,
  input TEXT,
  created_at TEXT NOT NULL,
  answered_at TEXT,
  PRIMARY KEY (kind, key)
);
`;

/**
 * A store from before recovery knew these requests: the columns are added, and the requests kept
 * until then count as answered (their calls stay the back office's to repeat, as they were made).
 */
export const keyedGatewayRequestColumns: readonly (readonly [string, string])[] = [
  ["input", "TEXT"],
  ["answered_at", "TEXT"],
];
export const answerEarlierKeyedGatewayRequests =
  "UPDATE keyed_gateway_requests SET answered_at = created_at WHERE answered_at IS NULL";

const columns = "kind, key, fingerprint, rrpid, request, input, answered_at";

export const selectKeyedGatewayRequest = `SELECT ${columns} FROM keyed_gateway_requests WHERE kind = ? AND key = ?`;

/** The requests of a kind still waiting for a usable answer, oldest first. */
export const selectUnansweredKeyedGatewayRequests = `SELECT ${columns} FROM keyed_gateway_requests
  WHERE kind = ? AND answered_at IS NULL ORDER BY created_at, key`;

/** Every row of the request (under the shop's key and under its RRPID) is answered. */
export const answerKeyedGatewayRequest = (
  kind: KeyedGatewayRequestKind,
  rrpid: string,
  at: Date,
): SqlStatement => ({
  sql: "UPDATE keyed_gateway_requests SET answered_at = ? WHERE kind = ? AND rrpid = ? AND answered_at IS NULL",
  params: [at.toISOString(), kind, rrpid],
});

export const toKeyedGatewayRequest = (r: {
  kind: KeyedGatewayRequestKind;
  key: string;
  fingerprint: string;
  rrpid: string;
  request: Buffer;
  input: string | null;
  answered_at: string | null;
}): KeyedGatewayRequest => {
  const { input, answered_at, ...rest } = r;
  return {
    ...rest,
    request: new Uint8Array(r.request),
    ...(input !== null ? { input } : {}),
    answered: answered_at !== null,
  };
};

/** Refused (the key's primary key) when the key was already used for this kind. */
export const insertKeyedGatewayRequest = (r: KeyedGatewayRequest, at: Date): SqlStatement => ({
  sql: `INSERT INTO keyed_gateway_requests (kind, key, fingerprint, rrpid, request, input, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`,
  params: [r.kind, r.key, r.fingerprint, r.rrpid, r.request, r.input ?? null, at.toISOString()],
});
