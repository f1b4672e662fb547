/**
 * The authorizations of one purchase, by number: 1 is the first (the buyer's PReq), 2 and on the
 * later ones the gateway approved with the AuthToken (`authorization.subsequent`: a split
 * shipment's parts, installments, recurring payments). Each has its own AuthRRPID, AuthAmt and
 * CapToken, so each is reversed, captured and credited on its own; `Merchant.reverseAuthorization`,
 * `capture`, `refund`, `reverseRefund` and `reverseCapture` name one with their `authorization`
 * option (default 1).
 *
 * The order's state is the first authorization's. A later one's reversal, capture and credits are
 * kept with it (`subsequent[].reversal`, `.capture`, `.capRevOrCreds`), its state worked out from
 * them (`laterPartState`), and each step is a line of the order's history, "authorization N: ...",
 * as a transition to the state the order is in.
 */
import { type schema, toMinorUnits } from "@setlab/protocol";
import type { Authorization, AuthReversal, CapRevOrCred, Capture, Order } from "./order";
import type { OrderState } from "./orderState";

/** What a call on one authorization's requests (capture, reversal, credit) names it by. */
export interface PartRequestOptions {
  /** Which authorization of the purchase: 1 (default) the first, 2 and on a later one (a split shipment's next part, made with the AuthToken; `authorizeSubsequent`). */
  readonly authorization?: number;
  /**
   * 1 to 255 visible ASCII characters: a repeated call with the same key and input acts once.
   * While its request waits for an answer it is sent again, once answered the order is returned
   * as it is; the same key asking for something else is refused (idempotencyKeyReused).
   */
  readonly idempotencyKey?: string;
}

/** The codes every refusal of such a call may carry, before the operation's own. */
export type PartRequestInputCode =
  | "noSuchOrder"
  | "noSuchAuthorization"
  | "invalidAmount"
  | "idempotencyKeyReused";

/** One authorization of the purchase, as its reversal, capture and credits act on it. */
export interface AuthorizationPart {
  /** 1: the first authorization; 2 and on: the later ones, in order. */
  readonly part: number;
  /** Hex. */
  readonly authRRPID: string;
  readonly authAmt?: schema.CurrencyAmount;
  /** DER (hex) of its CapToken. */
  readonly capToken?: string;
  readonly capture?: Capture;
  readonly capRevOrCreds?: readonly CapRevOrCred[];
  /** DER (hex) of its AuthReqData and of the AuthResPayload it stands at after a reduction. */
  readonly authReqData?: string;
  readonly authResPayload?: string;
  readonly reversal?: AuthReversal;
}

/**
 * What an operation on one authorization changes of it: a key given as undefined is removed (a
 * cancelled authorization's CapToken).
 */
export type PartChange = Partial<
  Pick<
    AuthorizationPart,
    "capture" | "capRevOrCreds" | "reversal" | "authAmt" | "capToken" | "authResPayload"
  >
>;

/** Every authorization of the order's purchase, the first one first; none before it is authorized. */
export function authorizationParts(order: Pick<Order, "authorization">): AuthorizationPart[] {
  const auth = order.authorization;
  if (!auth) return [];
  // Refused attempts share their part number with the approval that followed: only approvals count.
  const later = (auth.subsequent ?? []).filter((s) => s.authCode === "approved");
  return [{ ...auth, part: 1 }, ...later];
}

/** Authorization `part` of the order, undefined when the purchase has no such approved authorization. */
export function authorizationPart(order: Order, part: number): AuthorizationPart | undefined {
  return authorizationParts(order).find((a) => a.part === part);
}

/** The order's authorization record with authorization `part` changed. */
export function withPart(auth: Authorization, part: number, change: PartChange): Authorization {
  const changed = <T extends object>(record: T): T => {
    const next: Record<string, unknown> = { ...record, ...change };
    for (const k of Object.keys(change)) if (next[k] === undefined) delete next[k];
    return next as T;
  };
  if (part === 1) return changed(auth);
  return {
    ...auth,
    subsequent: (auth.subsequent ?? []).map((s) =>
      s.part === part && s.authCode === "approved" ? changed(s) : s,
    ),
  };
}

const minorOf = (a: schema.CurrencyAmount | undefined): bigint => {
  const m = a ? toMinorUnits(a) : undefined;
  return m?.ok ? m.minor : 0n;
};

/**
 * A later authorization's own state, read from its records with the order's state names:
 * authorized until captured (reversed once cancelled by AuthRev), then captured (partiallyCaptured: less than its AuthAmt), and after it as the order would be after the same
 * credits and reversals (`partiallyRefunded`, `refunded`, `refundReversed`, `captureReversed`).
 */
export function laterPartState(part: AuthorizationPart): OrderState {
  if (part.capture?.capCode !== "success") return minorOf(part.authAmt) === 0n ? "reversed" : "authorized";
  const done = (part.capRevOrCreds ?? []).filter((e) => e.code === "success");
  if (done.some((e) => e.kind === "captureReversal")) return "captureReversed";
  const last = done.at(-1);
  if (!last) return minorOf(part.capture.capAmt) < minorOf(part.authAmt) ? "partiallyCaptured" : "captured";
  if (last.kind === "creditReversal") return "refundReversed";
  const standing = done.reduce(
    (t, e) => t + (e.kind === "credit" ? 1n : -1n) * minorOf(e.actualAmt ?? e.amount),
    0n,
  );
  return standing >= minorOf(part.capture.capAmt) ? "refunded" : "partiallyRefunded";
}

/** A history line about authorization `part`: the first one's as it is, a later one's named. */
export const partDetail = (part: number, detail: string): string =>
  part === 1 ? detail : `authorization ${part}: ${detail}`;

/**
 * The `authorization` field of an admin route's JSON body: a whole number from 1, taken out of the
 * body so the rest is read as before. Anything else is refused with the route's own error.
 */
export function takeAuthorizationNumber(
  body: unknown,
  refuse: (message: string) => Error,
): { authorization?: number; rest: unknown } {
  if (!body || typeof body !== "object" || Array.isArray(body) || !("authorization" in body))
    return { rest: body };
  const { authorization, ...rest } = body as Record<string, unknown>;
  if (!Number.isSafeInteger(authorization) || (authorization as number) < 1)
    throw refuse("authorization must be the number of one of the purchase's authorizations (1 and on)");
  return { authorization: authorization as number, rest };
}

/** The `authorization` option of a call: a whole number from 1 (default 1). */
export function checkAuthorizationNumber(
  value: number | undefined,
  refuse: (message: string) => Error,
): number {
  if (value === undefined) return 1;
  if (!Number.isSafeInteger(value) || value < 1)
    throw refuse("authorization must be the number of one of the purchase's authorizations (1 and on)");
  return value;
}
