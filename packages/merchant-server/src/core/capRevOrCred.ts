/**
 * The merchant's capture reversal, credit (refund) and credit reversal (digest 3.7): CapRevReq,
 * CredReq or CredRevReq = EncB(M, P, CapRevOrCredReqData, CapTokenSeq) with the authorization's
 * CapToken and the capture it acts on, the gateway's answer read with every check, the order
 * moved on (./orderState.ts). As for a capture, the request is committed before it leaves and a
 * call whose answer was lost sends the same bytes again; its CapRevOrCredReqDate is set once, so
 * the gateway tells the same request under other ids from a new one.
 */
import {
  type CapRevOrCredKind,
  type CurrencyAmountValue,
  capRevOrCredKinds,
  decodeDer,
  formatCurrencyAmount,
  fromHex,
  receiveCapRevOrCredRes,
  schema,
  sealCapRevOrCredReq,
  toHex,
  toMinorUnits,
  wholeSeconds,
  type wrapMessage,
} from "@setlab/protocol";
import { answerReceiver } from "./answerReceiver";
import {
  type AuthorizationPart,
  authorizationPart,
  authorizationParts,
  checkAuthorizationNumber,
  laterPartState,
  type PartRequestInputCode,
  type PartRequestOptions,
  partDetail,
  withPart,
} from "./authorizationPart";
import { isBatchNumber } from "./batchNumber";
import type { CallContext, MerchantContext } from "./context";
import { InputError } from "./inputError";
import { askKept, keepRequest, onOrderTurn, type Recording, wrapOrderRequest } from "./keptRequest";
import type { CapRevOrCred, Order } from "./order";
import { type OrderState, OrderStateError } from "./orderState";
import { brandOf } from "./purchaseBrand";
import { storedMessageOf } from "./storedMessage";

export type CapRevOrCredInputCode =
  | PartRequestInputCode
  | "overAmount"
  | "unknownCredit"
  | "noCapToken"
  | "requestPending"
  | "invalidBatchId";

/** A request the merchant refuses before asking the gateway (no message leaves). */
export class CapRevOrCredInputError extends InputError<CapRevOrCredInputCode> {
  override readonly name = "CapRevOrCredInputError";
}

export interface CapRevOrCredOptions extends PartRequestOptions {
  /** A credit or credit reversal of this much (default: all that may be). Not for a capture reversal. */
  readonly amount?: schema.CurrencyAmount;
  /** A credit reversal: the credit (its id, `capRevOrCreds[].id`) to take back; default the last one. */
  readonly creditId?: string;
  /**
   * The merchant's settlement batch to book it into (the item's NewBatchID); absent: the open
   * batch. The gateway refuses a batch the merchant lacks (batchUnknown) or closed (batchClosed).
   */
  readonly batchId?: number;
}

const fromStates: Readonly<Record<CapRevOrCredKind, readonly OrderState[]>> = {
  credit: ["captured", "partiallyCaptured", "partiallyRefunded", "refundReversed"],
  creditReversal: ["partiallyRefunded", "refunded", "refundReversed"],
  captureReversal: ["captured", "partiallyCaptured", "refundReversed"],
};

const minor = (a: CurrencyAmountValue): bigint => {
  const m = toMinorUnits(a);
  return m.ok ? m.minor : 0n;
};

/** What the gateway did (success) per kind, in minor units of the captured amount's currency. */
function totals(auth: AuthorizationPart) {
  const done = (auth.capRevOrCreds ?? []).filter((c) => c.code === "success");
  const sum = (kind: CapRevOrCredKind, creditId?: string) =>
    done
      .filter((c) => c.kind === kind && (creditId === undefined || c.creditId === creditId))
      .reduce((t, c) => t + minor(c.actualAmt ?? c.amount), 0n);
  const captured = minor(auth.capture!.capAmt!);
  const standing = sum("credit") - sum("creditReversal");
  return { captured, standing, reversedOf: (creditId: string) => sum("creditReversal", creditId), done };
}

/**
 * What this call asks for: the kind's amount (checked exactly against what the order's record
 * allows), and for a credit reversal the credit it takes back.
 */
function askedOf(
  kind: CapRevOrCredKind,
  order: Order,
  auth: AuthorizationPart,
  options: CapRevOrCredOptions,
): { amount: schema.CurrencyAmount; creditId?: string } {
  const capAmt = auth.capture!.capAmt!;
  const { captured, standing, reversedOf, done } = totals(auth);
  const exact = (a: schema.CurrencyAmount) => {
    const m = toMinorUnits(a);
    const c = toMinorUnits(capAmt);
    if (!m.ok) throw new CapRevOrCredInputError("invalidAmount", `the amount is refused: ${m.reason}`);
    if (!c.ok || m.currency.code !== c.currency.code)
      throw new CapRevOrCredInputError(
        "invalidAmount",
        `the amount must be in ${formatCurrencyAmount(capAmt)}'s currency`,
      );
    return m.minor;
  };
  // What is left, in the currency's minor units (the capture's CapAmt was checked on receipt).
  const exponent = (() => {
    const c = toMinorUnits(capAmt);
    return c.ok ? c.currency.exponent : 0;
  })();
  const inCaptureUnits = (value: bigint) => ({
    currency: capAmt.currency,
    amount: Number(value),
    amtExp10: -exponent,
  });
  if (kind === "captureReversal") {
    if (options.amount !== undefined)
      throw new CapRevOrCredInputError(
        "invalidAmount",
        "a capture reversal undoes the whole capture: no amount",
      );
    if (standing > 0n)
      throw new OrderStateError(`order ${order.id} has credits standing: reverse them before the capture`);
    return { amount: capAmt };
  }
  if (kind === "credit") {
    const left = captured - standing;
    if (left <= 0n)
      throw new CapRevOrCredInputError("overAmount", `order ${order.id}'s capture is all credited`);
    const amount = options.amount ?? inCaptureUnits(left);
    if (exact(amount) > left)
      throw new CapRevOrCredInputError(
        "overAmount",
        `${formatCurrencyAmount(amount)} is more than the ${formatCurrencyAmount(inCaptureUnits(left))} left to credit`,
      );
    return { amount };
  }
  const credits = done.filter((c) => c.kind === "credit");
  const credit =
    options.creditId === undefined ? credits.at(-1) : credits.find((c) => c.id === options.creditId);
  if (!credit)
    throw new CapRevOrCredInputError(
      "unknownCredit",
      `order ${order.id} has no credit ${options.creditId ?? ""}`.trim(),
    );
  const left = minor(credit.actualAmt ?? credit.amount) - reversedOf(credit.id);
  if (left <= 0n) throw new CapRevOrCredInputError("overAmount", `credit ${credit.id} is all taken back`);
  const amount = options.amount ?? inCaptureUnits(left);
  if (exact(amount) > left || exact(amount) > standing)
    throw new CapRevOrCredInputError(
      "overAmount",
      `${formatCurrencyAmount(amount)} is more than the ${formatCurrencyAmount(inCaptureUnits(left))} of credit ${credit.id} left`,
    );
  return { amount, creditId: credit.id };
}

/** The state an order reaches once the gateway did what `entry` asked. */
function stateAfter(kind: CapRevOrCredKind, auth: AuthorizationPart): OrderState {
  if (kind === "captureReversal") return "captureReversed";
  if (kind === "creditReversal") return "refundReversed";
  const { captured, standing } = totals(auth);
  return standing >= captured ? "refunded" : "partiallyRefunded";
}

/**
 * Ask the gateway for a capture reversal, a credit or a credit reversal of the capture of the
 * order's authorization (`options.authorization`: the first, or a later one). Refused before any
 * message (CapRevOrCredInputError, OrderStateError) for an unknown order or authorization, an
 * order (or later authorization) in a state that does not allow it, one without a CapToken, an amount
 * over what may be, or a request of the same kind still waiting for its answer with other input.
 * Otherwise the order after the gateway's answer: moved on when it was done; where it was, with
 * the entry's `code` or `failure` saying why, when not (calling again sends the same request).
 */
export function capRevOrCredOrder(
  ctx: MerchantContext,
  kind: CapRevOrCredKind,
  orderId: number,
  options: CapRevOrCredOptions,
  call: CallContext,
): Promise<Order> {
  return onOrderTurn(
    ctx,
    orderId,
    (message) => new CapRevOrCredInputError("noSuchOrder", message),
    (order) => capRevOrCredNow(ctx, kind, order, options, call),
  );
}

async function capRevOrCredNow(
  ctx: MerchantContext,
  kind: CapRevOrCredKind,
  order: Order,
  options: CapRevOrCredOptions,
  call: CallContext,
): Promise<Order> {
  const orderId = order.id;
  const partNo = checkAuthorizationNumber(
    options.authorization,
    (message) => new CapRevOrCredInputError("noSuchAuthorization", message),
  );
  if (options.batchId !== undefined && !isBatchNumber(options.batchId))
    throw new CapRevOrCredInputError("invalidBatchId", "a batch id is an integer from 1 to 2147483647");
  const part = authorizationPart(order, partNo);
  const entries = part?.capRevOrCreds ?? [];
  const key = options.idempotencyKey;
  // A key names one request of the order: the same key on another authorization is a reuse.
  if (
    key !== undefined &&
    authorizationParts(order).some(
      (a) => a.part !== partNo && (a.capRevOrCreds ?? []).some((e) => e.idempotencyKey === key),
    )
  )
    throw new CapRevOrCredInputError(
      "idempotencyKeyReused",
      `idempotency key ${key} was used for a request on another authorization`,
    );
  const keyed = key !== undefined ? entries.find((e) => e.idempotencyKey === key) : undefined;
  if (keyed && keyed.code !== undefined) {
    if (
      keyed.kind !== kind ||
      (options.amount !== undefined && minor(options.amount) !== minor(keyed.amount)) ||
      options.batchId !== keyed.newBatchID
    )
      throw new CapRevOrCredInputError(
        "idempotencyKeyReused",
        `idempotency key ${key} was used for another ${capRevOrCredKinds[keyed.kind].request}`,
      );
    return order;
  }
  const state = order.state;
  if (partNo !== 1 && !part)
    throw new CapRevOrCredInputError(
      "noSuchAuthorization",
      `order ${orderId}'s purchase has no approved authorization ${partNo}`,
    );
  // The first authorization's state is the order's; a later one's is read from its own records.
  const partState = partNo === 1 || !part ? state : laterPartState(part);
  if (!fromStates[kind].includes(partState) || !part?.capture?.capAmt)
    throw new OrderStateError(
      `${partNo === 1 ? `order ${orderId}` : `order ${orderId}'s authorization ${partNo}`} is ${partState}: no ${capRevOrCredKinds[kind].request} may be made`,
    );
  if (!part.capToken)
    throw new CapRevOrCredInputError(
      "noCapToken",
      `order ${orderId}'s authorization ${partNo} carries no CapToken to name its capture with`,
    );
  // At most one request waits for its answer at a time: it is sent again, never replaced.
  const pending = entries.find((e) => e.code === undefined);
  let entry: CapRevOrCred;
  let bytes: Uint8Array;
  if (pending) {
    // A batch named or not is part of the request: the same key or call with another is not a repeat.
    const same =
      options.batchId === pending.newBatchID &&
      (keyed === pending
        ? pending.kind === kind
        : key === undefined &&
          pending.kind === kind &&
          (options.amount === undefined || minor(options.amount) === minor(pending.amount)) &&
          (options.creditId === undefined || options.creditId === pending.creditId));
    if (!same)
      throw new CapRevOrCredInputError(
        keyed === pending ? "idempotencyKeyReused" : "requestPending",
        `a ${capRevOrCredKinds[pending.kind].request} of ${formatCurrencyAmount(pending.amount)} is waiting for the gateway's answer`,
      );
    // Other authorizations of the purchase may have sent requests since: this one's by its RRPID.
    const sent = storedMessageOf(
      await ctx.repo.messages(orderId),
      capRevOrCredKinds[pending.kind].requestType,
      pending.id,
    );
    if (!sent)
      throw new Error(
        `order ${orderId}: the pending ${capRevOrCredKinds[pending.kind].request} is not stored`,
      );
    entry = pending;
    bytes = sent;
  } else {
    const asked = askedOf(kind, order, part, options);
    ({ entry, bytes } = await requestFor(ctx, kind, order, part, asked, key, options.batchId));
    await keepRequest(ctx, {
      order,
      authorization: withPart(order.authorization!, partNo, { capRevOrCreds: [...entries, entry] }),
      type: capRevOrCredKinds[kind].requestType,
      bytes,
    });
  }
  return exchange(ctx, entry.kind, orderId, partNo, entry, bytes, call);
}

async function requestFor(
  ctx: MerchantContext,
  kind: CapRevOrCredKind,
  order: Order,
  auth: AuthorizationPart,
  asked: { amount: schema.CurrencyAmount; creditId?: string },
  idempotencyKey: string | undefined,
  newBatchID: number | undefined,
): Promise<{ entry: CapRevOrCred; bytes: Uint8Array }> {
  const { p } = ctx;
  const brand = brandOf(ctx, order.purchase!);
  const now = wholeSeconds(p.now());
  // One date per request of a kind on this capture: a second one in the same second is dated
  // after the last, or the gateway would take it for the same request again.
  const last = (auth.capRevOrCreds ?? []).filter((e) => e.kind === kind).map((e) => Date.parse(e.reqDate));
  const reqDate = new Date(Math.max(now.getTime(), ...last.map((t) => t + 1000)));
  const rrpid = p.random(20);
  const transIDs = decodeDer(schema.TransIDs, fromHex(order.purchase!.transIDs), "TransIDs");
  const capture = auth.capture!;
  const data: schema.CapRevOrCredReqData = {
    capRevOrCredRRTags: { rrpid, merTermIDs: { merchantID: ctx.config.merchantID }, currentDate: now },
    capRevOrCredReqItemSeq: [
      {
        transIDs,
        authRRPID: fromHex(auth.authRRPID),
        capPayload: { capDate: wholeSeconds(new Date(capture.at)), capReqAmt: capture.capAmt! },
        ...(newBatchID !== undefined ? { newBatchID } : {}),
        capRevOrCredReqDate: reqDate,
        ...(kind !== "captureReversal" ? { capRevOrCredReqAmt: asked.amount } : {}),
        newAccountInd: false,
      },
    ],
  };
  const capToken = decodeDer(schema.CapToken, fromHex(auth.capToken!), "CapToken");
  const sealed = await sealCapRevOrCredReq(p, kind, brand.authSigner, brand.gateway.certificate, data, [
    capToken,
  ]);
  const bytes = wrapOrderRequest(
    ctx,
    { type: capRevOrCredKinds[kind].requestType, value: sealed } as Parameters<typeof wrapMessage>[0],
    transIDs,
    rrpid,
    now,
  );
  const entry: CapRevOrCred = {
    id: toHex(rrpid),
    kind,
    amount: asked.amount,
    reqDate: reqDate.toISOString(),
    ...(asked.creditId !== undefined ? { creditId: asked.creditId } : {}),
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    ...(newBatchID !== undefined ? { newBatchID } : {}),
  };
  return { entry, bytes };
}

/** Send the stored request, read the answer with every check, record what it says. */
async function exchange(
  ctx: MerchantContext,
  kind: CapRevOrCredKind,
  orderId: number,
  partNo: number,
  entry: CapRevOrCred,
  bytes: Uint8Array,
  call: CallContext,
): Promise<Order> {
  const order = (await ctx.repo.order(orderId))!;
  const auth = authorizationPart(order, partNo)!;
  const state = order.state;
  const brand = brandOf(ctx, order.purchase!);
  const recorded = (change: Partial<CapRevOrCred>): Recording => {
    const { failure: _lastFailure, ...rest } = entry;
    const updated: CapRevOrCred =
      change.code !== undefined ? { ...rest, ...change } : { ...entry, ...change };
    const list = (auth.capRevOrCreds ?? []).map((e) => (e.id === entry.id ? updated : e));
    // A later authorization's step is a line of the history, the order staying where it is.
    const to =
      updated.code !== "success"
        ? undefined
        : partNo === 1
          ? stateAfter(kind, { ...auth, capRevOrCreds: list })
          : state;
    const detail = partDetail(
      partNo,
      `${kindWord[kind]} ${formatCurrencyAmount(updated.actualAmt ?? entry.amount)}`,
    );
    return {
      authorization: withPart(order.authorization!, partNo, { capRevOrCreds: list }),
      ...(to ? { transition: { to, detail } } : {}),
    };
  };
  const transIDs = decodeDer(schema.TransIDs, fromHex(order.purchase!.transIDs), "TransIDs");
  return askKept(
    ctx,
    {
      order,
      brand,
      bytes,
      answer: { type: capRevOrCredKinds[kind].responseType, name: capRevOrCredKinds[kind].response },
      failed: (failure) => recorded({ failure }),
      received: async (answer) => {
        const received = await receiveCapRevOrCredRes(
          ctx.p,
          kind,
          answer,
          {
            rrpid: fromHex(entry.id),
            items: [{ transIDs, authRRPID: fromHex(auth.authRRPID), amount: entry.amount }],
            brand: brand.brandID,
            gateway: brand.gateway.certificate,
          },
          answerReceiver(ctx, brand),
        );
        const item = received.items[0];
        const {
          capRevOrCredCode: code,
          capRevOrCredActualAmt: actualAmt,
          batchID,
          batchSequenceNum,
        } = item.payload;
        if (item.verdict === "amountMismatch")
          return recorded({
            failure: `the gateway did ${formatCurrencyAmount(actualAmt)}, not the ${formatCurrencyAmount(entry.amount)} asked`,
          });
        return recorded({
          code,
          actualAmt,
          ...(batchID !== undefined ? { batchID } : {}),
          ...(batchSequenceNum !== undefined ? { batchSequenceNum } : {}),
        });
      },
    },
    call,
  );
}

const kindWord: Readonly<Record<CapRevOrCredKind, string>> = {
  captureReversal: "capture reversed",
  credit: "credited",
  creditReversal: "credit reversed",
};
