/**
 * The events an order change causes, worked out from the change itself (its transitions, an
 * authorization newly in doubt) and the order before it, so every handler's commit yields its
 * events in one place, and the lifecycle operations' states only need a line in `eventOfState`.
 */
import { randomBytes } from "node:crypto";
import { toMinorUnits } from "@setlab/protocol";
import { type AuthorizationPart, authorizationParts, laterPartState } from "../core/authorizationPart";
import type { CapRevOrCred, Order } from "../core/order";
import type { OrderState } from "../core/orderState";
import type { OrderChange } from "../store/repository";
import type { OrderEvent, OrderEventAmount, OrderEventOrder, OrderEventType } from "./orderEvent";

/** The state an order reaches, and the event that announces it. */
const eventOfState: Readonly<Record<string, OrderEventType>> = {
  authorized: "authorized",
  partiallyAuthorized: "partiallyAuthorized",
  declined: "declined",
  authorizationFailed: "failed",
  captured: "captured",
  partiallyCaptured: "partiallyCaptured",
  partiallyRefunded: "refunded",
  refunded: "refunded",
  refundReversed: "reversed",
  captureReversed: "reversed",
  reversed: "reversed",
};

/**
 * A state an order enters again, and says so: an authorization reduced by AuthRev, a further
 * credit while part of the capture is left, a further credit reversal.
 */
const eventOfReentry: Readonly<Record<string, OrderEventType>> = {
  authorized: "reversed",
  partiallyAuthorized: "reversed",
  partiallyRefunded: "refunded",
  refundReversed: "reversed",
};

/** `reversed`: what was authorized before the reversal, beside what is now (zero: cancelled). */
function reversedEvent(event: OrderEvent, before: Order): OrderEvent {
  const previous = before.authorization?.authAmt;
  return previous ? { ...event, previousAuthorizedAmount: amountOf(previous) } : event;
}

/** Does this change cause any event? (Saves reading the order for the many changes that do not.) */
export function mayCauseEvents(change: OrderChange): boolean {
  return (
    change.authorization?.inDoubt === true ||
    change.authorization?.subsequent !== undefined ||
    (change.transitions ?? []).some(
      (t) => eventOfState[t.to] !== undefined || eventOfReentry[t.to] !== undefined,
    )
  );
}

export function eventsOfChange(before: Order, change: OrderChange, at: Date): OrderEvent[] {
  const transitions = change.transitions ?? [];
  const authorization = change.authorization ?? before.authorization;
  const state: OrderState = transitions.at(-1)?.to ?? before.state;
  const order: OrderEventOrder = {
    id: before.id,
    lidM: before.lidM,
    state,
    ...(before.reference !== undefined ? { reference: before.reference } : {}),
    ...(before.metadata !== undefined ? { metadata: before.metadata } : {}),
    amount: amountOf(before.purchAmt),
  };
  const common = (type: OrderEventType): OrderEvent => ({
    id: `evt_${randomBytes(16).toString("hex")}`,
    type,
    createdAt: at.toISOString(),
    order,
    ...(authorization?.authAmt ? { authorizedAmount: amountOf(authorization.authAmt) } : {}),
    ...(authorization?.completionCode ? { completionCode: authorization.completionCode } : {}),
    ...((type.endsWith("aptured") || type === "refunded" || type === "reversed") &&
    authorization?.capture?.capAmt
      ? { capturedAmount: amountOf(authorization.capture.capAmt) }
      : {}),
    ...(type === "refunded" || type === "reversed"
      ? afterCaptureFields(before.authorization, authorization)
      : {}),
  });
  const events: OrderEvent[] = [];
  const wasInDoubt = before.state === "authorizing" && before.authorization?.inDoubt === true;
  if (transitions.length === 0) {
    if (change.authorization?.inDoubt && !wasInDoubt)
      events.push({ ...common("inDoubt"), reason: change.authorization.failure ?? "no usable answer" });
    return events;
  }
  if (wasInDoubt && state !== "authorizing") events.push({ ...common("settled"), outcome: state });
  let from: OrderState = before.state;
  const later = isLaterAuthorization(before, change);
  const laterSteps = laterAuthorizationSteps(before, change);
  for (const t of transitions) {
    const stayed = t.to === from;
    from = t.to;
    // A later authorization's capture, credit or reversal: announced as the order's own would be,
    // with the authorization's part and amounts.
    if (stayed && laterSteps.length > 0) {
      for (const step of laterSteps) {
        // An AuthRev (cancelled or reduced) is `reversed`, as the first authorization's is.
        const type = step.reversed ? "reversed" : eventOfState[laterPartState(step.now)];
        if (!type) continue;
        // Its amounts only: the first authorization's are not this one's.
        const { authorizedAmount: _first, capturedAmount: _firstCapture, ...order } = common(type);
        const event: OrderEvent = {
          ...order,
          part: step.now.part,
          ...(step.now.authAmt ? { authorizedAmount: amountOf(step.now.authAmt) } : {}),
          ...(step.now.capture?.capAmt ? { capturedAmount: amountOf(step.now.capture.capAmt) } : {}),
        };
        events.push(
          step.reversed
            ? { ...event, previousAuthorizedAmount: amountOf(step.before.authAmt ?? step.now.authAmt!) }
            : type === "refunded" || type === "reversed"
              ? { ...event, ...afterCaptureFields(step.before, step.now) }
              : event,
        );
      }
      continue;
    }
    // A later authorization (AuthToken) is recorded as a transition to the same state: announced
    // as `authorized` with its part when approved.
    if (stayed && later) {
      const part = change.authorization?.subsequent?.at(-1);
      if (part?.authCode === "approved" && part.authAmt)
        events.push({ ...common("authorized"), part: part.part, authorizedAmount: amountOf(part.authAmt) });
      continue;
    }
    // A state entered again otherwise is announced by eventOfReentry (an AuthRev reduction, a
    // second partial refund or credit reversal).
    const type = stayed ? eventOfReentry[t.to] : eventOfState[t.to];
    if (!type) continue;
    const event = common(type);
    // A capture or credit reversal (it carries `reversal`) leaves the authorization as it was.
    if (type === "reversed" && event.reversal === undefined) events.push(reversedEvent(event, before));
    else events.push(type === "failed" ? { ...event, reason: authorization?.failure ?? t.detail } : event);
  }
  return events;
}

/** The change records a later authorization of the purchase: its list of them grew or its last one was decided. */
function isLaterAuthorization(before: Order, change: OrderChange): boolean {
  const now = change.authorization?.subsequent;
  if (!now) return false;
  const was = before.authorization?.subsequent ?? [];
  return now.length !== was.length || now.at(-1)?.authCode !== was.at(-1)?.authCode;
}

/**
 * The later authorizations (2 and on) whose reversal (AuthRev), capture or capture reversal,
 * credit or credit reversal this change newly answered with success, as they were and as they are.
 */
function laterAuthorizationSteps(
  before: Order,
  change: OrderChange,
): { before: AuthorizationPart; now: AuthorizationPart; reversed: boolean }[] {
  if (!change.authorization?.subsequent) return [];
  const was = authorizationParts(before);
  const succeeded = (a: AuthorizationPart | undefined) =>
    (a?.capture?.capCode === "success" ? 1 : 0) +
    (a?.capRevOrCreds ?? []).filter((e) => e.code === "success").length;
  const approvedReversal = (a: AuthorizationPart | undefined) =>
    a?.reversal?.authRevCode === "approved" ? a.reversal.authRevRRPID : undefined;
  return authorizationParts({ ...before, authorization: change.authorization })
    .filter((now) => now.part > 1)
    .flatMap((now) => {
      const then = was.find((a) => a.part === now.part);
      if (!then) return [];
      const reversed =
        approvedReversal(now) !== undefined && approvedReversal(now) !== approvedReversal(then);
      return reversed || succeeded(now) > succeeded(then) ? [{ before: then, now, reversed }] : [];
    });
}

/**
 * refunded, reversed: the operation this change completed (the request newly answered with
 * success), and the credit standing after it.
 */
function afterCaptureFields(
  before: Pick<AuthorizationPart, "capRevOrCreds"> | undefined,
  authorization: Pick<AuthorizationPart, "capRevOrCreds"> | undefined,
): Partial<OrderEvent> {
  const list = authorization?.capRevOrCreds ?? [];
  const earlier = new Set((before?.capRevOrCreds ?? []).filter((e) => e.code).map((e) => e.id));
  const done = list.find((e) => e.code === "success" && !earlier.has(e.id));
  if (!done?.actualAmt) return {};
  const fields: Partial<OrderEvent> = {
    ...(done.kind === "credit"
      ? { refundedAmount: amountOf(done.actualAmt) }
      : {
          reversedAmount: amountOf(done.actualAmt),
          reversal: done.kind === "captureReversal" ? "capture" : "refund",
        }),
    ...(done.kind === "creditReversal" && done.creditId ? { creditId: done.creditId } : {}),
    ...(done.kind === "credit" ? { creditId: done.id } : {}),
  };
  const standing = standingCredit(list);
  return standing ? { ...fields, totalRefunded: standing } : fields;
}

/** What stands credited (credits less credit reversals), in the currency's minor units. */
function standingCredit(list: readonly CapRevOrCred[]): OrderEventAmount | undefined {
  let total = 0n;
  let currency: number | undefined;
  let exponent = 0;
  for (const e of list) {
    if (e.code !== "success" || !e.actualAmt || e.kind === "captureReversal") continue;
    const m = toMinorUnits(e.actualAmt);
    if (!m.ok) continue;
    currency = m.currency.code;
    exponent = m.currency.exponent;
    total += e.kind === "credit" ? m.minor : -m.minor;
  }
  return currency === undefined ? undefined : { amount: Number(total), currency, amtExp10: -exponent };
}

const amountOf = (a: { amount: number; currency: number; amtExp10: number }): OrderEventAmount => ({
  amount: a.amount,
  currency: a.currency,
  amtExp10: a.amtExp10,
});
