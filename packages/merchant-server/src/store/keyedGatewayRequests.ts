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
}

export const keyedGatewayRequestSchema = `
CREATE TABLE IF NOT EXISTS keyed_gateway_requests (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  rrpid TEXT NOT NULL,
  request BLOB NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (kind, key)
);
`;

export const selectKeyedGatewayRequest =
  "SELECT kind, key, fingerprint, rrpid, request FROM keyed_gateway_requests WHERE kind = ? AND key = ?";

export const toKeyedGatewayRequest = (r: {
  kind: KeyedGatewayRequestKind;
  key: string;
  fingerprint: string;
  rrpid: string;
  request: Buffer;
}): KeyedGatewayRequest => ({ ...r, request: new Uint8Array(r.request) });

/** Refused (the key's primary key) when the key was already used for this kind. */
export const insertKeyedGatewayRequest = (r: KeyedGatewayRequest, at: Date): SqlStatement => ({
  sql: `INSERT INTO keyed_gateway_requests (kind, key, fingerprint, rrpid, request, created_at)
    VALUES (?, ?, ?, ?, ?, ?)`,
  params: [r.kind, r.key, r.fingerprint, r.rrpid, r.request, at.toISOString()],
});
