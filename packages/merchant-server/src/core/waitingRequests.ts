/**
 * The lifecycle requests of an order committed before they left and not yet answered: a capture,
 * an authorization reversal, a capture reversal, credit or credit reversal, a later
 * authorization. Each one's request is stored; asked again (the back office repeating its call,
 * or recovery), the same bytes are sent and the gateway answers a repeat with its stored answer.
 * The store keeps a marker of the orders that have one (`ordersWaitingForGateway`), from this
 * one definition.
 */
import type { schema } from "@setlab/protocol";
import type { Authorization, CapRevOrCred } from "./order";

interface Waiting {
  /** The request's RRPID (hex). */
  readonly rrpid: string;
  /** What was asked: CapReqAmt, AuthNewAmt, the credit's amount, AuthReqAmt. */
  readonly amount: schema.CurrencyAmount;
  /** The key of the call that asked for it, when the shop gave one. */
  readonly idempotencyKey?: string;
  /** Why the last attempt gave no usable answer, if one was made. */
  readonly failure?: string;
}

export type WaitingRequest =
  | (Waiting & { readonly kind: "capture" | "authReversal" | "subsequentAuthorization" })
  | (Waiting & { readonly kind: "capRevOrCred"; readonly entry: CapRevOrCred });

const optional = (key: string | undefined, failure: string | undefined) => ({
  ...(key !== undefined ? { idempotencyKey: key } : {}),
  ...(failure !== undefined ? { failure } : {}),
});

/** The order's requests waiting for the gateway's answer (at most one of each kind). */
export function waitingRequestsOf(auth: Authorization | undefined): WaitingRequest[] {
  if (!auth) return [];
  const waiting: WaitingRequest[] = [];
  const { capture, reversal } = auth;
  // A sale's capture has no CapRRPID: its AuthReq captured it.
  if (capture?.capRRPID && capture.capCode === undefined)
    waiting.push({
      kind: "capture",
      rrpid: capture.capRRPID,
      amount: capture.capReqAmt,
      ...optional(capture.idempotencyKey, capture.failure),
    });
  if (reversal && reversal.authRevCode === undefined)
    waiting.push({
      kind: "authReversal",
      rrpid: reversal.authRevRRPID,
      amount: reversal.authNewAmt,
      ...optional(reversal.idempotencyKey, reversal.failure),
    });
  const entry = (auth.capRevOrCreds ?? []).find((e) => e.code === undefined);
  if (entry)
    waiting.push({
      kind: "capRevOrCred",
      entry,
      rrpid: entry.id,
      amount: entry.amount,
      ...optional(entry.idempotencyKey, entry.failure),
    });
  const later = auth.subsequent?.at(-1);
  if (later && later.authCode === undefined)
    waiting.push({
      kind: "subsequentAuthorization",
      rrpid: later.authRRPID,
      amount: later.authReqAmt,
      ...optional(later.idempotencyKey, later.failure),
    });
  return waiting;
}
