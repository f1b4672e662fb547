/**
 * The merchant captures an authorization (digest 3.7): CapReq = EncB(M, P, CapReqData,
 * CapTokenSeq) with the CapToken the AuthRes gave, the gateway's CapRes read with every check
 * (`receiveCapRes`), and the order moved to `captured` or `partiallyCaptured`. The CapReq is
 * committed before it leaves: a call whose answer was lost sends the same bytes again (the gateway
 * answers a repeat with its stored CapRes), so a capture is never asked for twice under two ids.
 */
import {
  type CurrencyAmountValue,
  decodeDer,
  formatCurrencyAmount,
  fromHex,
  RemoteSetError,
  receiveCapRes,
  SetError,
  sameMinorUnits,
  schema,
  sealCapReq,
  toHex,
  toMinorUnits,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import { capRRPIDKey } from "../store/keyedGatewayRequests";
import { parseAmountBody } from "./amountBody";
import type { CallContext, MerchantContext } from "./context";
import { earlierRequest } from "./earlierRequest";
import { GatewayUnreachableError } from "./gatewayClient";
import { InputError } from "./inputError";
import { checkIdempotencyKey } from "./newOrder";
import { oneAtATime, orderTurn } from "./oneAtATime";
import type { Authorization, Capture, Order } from "./order";
import { OrderStateError } from "./orderState";
import { brandOf } from "./purchaseBrand";

/** `Merchant.capture`'s options. */
export interface CaptureOptions {
  /** Part of AuthAmt, in its currency (SET's CapReqAmt); absent: all of it. */
  readonly amount?: schema.CurrencyAmount;
  /**
   * A repeated call with the same key acts once: while its CapReq waits for an answer it is sent
   * again, once answered the order is returned as it is. The same key with another amount is
   * refused (CaptureInputError).
   */
  readonly idempotencyKey?: string;
}

/** The stable codes of `CaptureInputError`: a shop may branch on them; the messages may change. */
export type CaptureInputErrorCode =
  | "noSuchOrder"
  | "invalidBody"
  | "invalidAmount"
  | "noCapToken"
  | "captureWaiting"
  | "idempotencyKeyReused"
  | "invalidIdempotencyKey"
  | "tooManyOrders"
  | "invalidBatchId"
  | "severalGateways";

/** A capture the merchant refuses before asking the gateway: no such order, an amount it cannot take. */
export class CaptureInputError extends InputError<CaptureInputErrorCode> {
  override readonly name = "CaptureInputError";
}

/**
 * The JSON of `POST /orders/:id/capture`: `{}` captures all of AuthAmt; `{amount, amtExp10?}` (in
 * the order's currency, SET's amount x 10^amtExp10) captures that much.
 */
export function parseCaptureBody(body: unknown, currency: number): schema.CurrencyAmount | undefined {
  return parseAmountBody(body, currency, (message) => new CaptureInputError("invalidAmount", message));
}

export const capturable = ["authorized", "partiallyAuthorized"] as const;

/** `amount` within the authorization: the same currency, above zero, at most AuthAmt, exactly. */
export function checkAmount(amount: CurrencyAmountValue, authAmt: CurrencyAmountValue): void {
  const asked = toMinorUnits(amount);
  const authorized = toMinorUnits(authAmt);
  if (!asked.ok)
    throw new CaptureInputError("invalidAmount", `the capture amount is refused: ${asked.reason}`);
  if (!authorized.ok || asked.currency.code !== authorized.currency.code)
    throw new CaptureInputError(
      "invalidAmount",
      `the capture must be in the authorization's currency (${formatCurrencyAmount(authAmt)})`,
    );
  if (asked.minor > authorized.minor)
    throw new CaptureInputError(
      "invalidAmount",
      `${formatCurrencyAmount(amount)} is more than the ${formatCurrencyAmount(authAmt)} authorized`,
    );
}

/** The CapReq to send: the stored one of a capture still waiting for its answer, or a new one. */
async function capReqFor(
  ctx: MerchantContext,
  order: Order,
  auth: Authorization,
  amount: schema.CurrencyAmount,
  idempotencyKey: string | undefined,
): Promise<{ capture: Capture; bytes: Uint8Array; stored: boolean }> {
  const pending = auth.capture && auth.capture.capCode === undefined ? auth.capture : undefined;
  // A CapReq of several orders (captureMany) is answered for all of them: only that call again.
  if (pending?.capRRPID && (await ctx.repo.keyedGatewayRequest("captureMany", capRRPIDKey(pending.capRRPID))))
    throw new CaptureInputError(
      "captureWaiting",
      `order ${order.id}'s capture was asked for with other orders in one CapReq: repeat that captureMany`,
    );
  if (pending) {
    if (!sameMinorUnits(pending.capReqAmt, amount))
      throw new CaptureInputError(
        "captureWaiting",
        `a capture of ${formatCurrencyAmount(pending.capReqAmt)} is waiting for the gateway's answer`,
      );
    const sent = (await ctx.repo.messages(order.id)).filter((m) => m.type === "captureRequest").at(-1);
    if (sent) return { capture: pending, bytes: sent.der, stored: true };
  }
  const { p } = ctx;
  const brand = brandOf(ctx, order.purchase!);
  const date = wholeSeconds(p.now());
  const capRRPID = p.random(20);
  const transIDs = decodeDer(schema.TransIDs, fromHex(order.purchase!.transIDs), "TransIDs");
  const data: schema.CapReqData = {
    capRRTags: { rrpid: capRRPID, merTermIDs: { merchantID: ctx.config.merchantID }, currentDate: date },
    capItemSeq: [
      { transIDs, authRRPID: fromHex(auth.authRRPID), capPayload: { capDate: date, capReqAmt: amount } },
    ],
  };
  const capToken = decodeDer(schema.CapToken, fromHex(auth.capToken!), "CapToken");
  const capReq = await sealCapReq(p, brand.authSigner, brand.gateway.certificate, data, [capToken]);
  const bytes = wrapMessage(
    { type: "captureRequest", value: capReq },
    {
      rrpid: capRRPID,
      lid_C: transIDs.lid_C,
      ...(transIDs.lid_M ? { lid_M: transIDs.lid_M } : {}),
      xid: transIDs.xid,
    },
    { date, swIdent: ctx.config.swIdent },
  );
  return {
    capture: {
      capRRPID: toHex(capRRPID),
      capReqAmt: amount,
      at: date.toISOString(),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    },
    bytes,
    stored: false,
  };
}

/** One capture call per order at a time (./oneAtATime.ts); what it does: `captureNow`. */
export function captureOrder(
  ctx: MerchantContext,
  orderId: number,
  options: CaptureOptions,
  call: CallContext,
): Promise<Order> {
  return oneAtATime(ctx, [orderTurn(orderId)], () => captureNow(ctx, orderId, options, call));
}

/**
 * Capture `amount` (default: all of AuthAmt) of the order's authorization. Refused before any
 * message (CaptureInputError, OrderStateError) for an unknown order, an order not authorized, an
 * authorization without a CapToken, or an amount over AuthAmt or in another currency. Otherwise
 * the order is returned as it is after the gateway's answer: `captured` (all of the purchase
 * amount) / `partiallyCaptured` (less) on success; unchanged in state, with `authorization.capture` saying why, when the gateway refused
 * (its CapCode) or no usable answer came (`failure`; calling again sends the same CapReq).
 */
async function captureNow(
  ctx: MerchantContext,
  orderId: number,
  options: CaptureOptions,
  call: CallContext,
): Promise<Order> {
  const order = await ctx.repo.order(orderId);
  if (!order) throw new CaptureInputError("noSuchOrder", `no order ${orderId}`);
  const { amount, idempotencyKey: key } = options;
  if (key !== undefined)
    try {
      checkIdempotencyKey(key);
    } catch (e) {
      throw new CaptureInputError("invalidIdempotencyKey", (e as Error).message);
    }
  const earlier = earlierRequest(
    key,
    order.authorization?.capture,
    (c) => amount === undefined || sameMinorUnits(c.capReqAmt, amount),
    (message) => new CaptureInputError("idempotencyKeyReused", message),
  );
  // The call this key names was answered: it acted once, and a repeat returns the order as it is.
  if (earlier && earlier.capCode !== undefined) return order;
  const state = order.state;
  if (!(capturable as readonly string[]).includes(state))
    throw new OrderStateError(`order ${orderId} is ${state}: only an authorized order can be captured`);
  const auth = order.authorization!;
  if (!auth.capToken || !auth.authAmt)
    throw new CaptureInputError(
      "noCapToken",
      `order ${orderId}'s authorization carries no CapToken to capture with`,
    );
  const capReqAmt = earlier?.capReqAmt ?? amount ?? auth.authAmt;
  checkAmount(capReqAmt, auth.authAmt);
  // Captured means the order is paid: all of the purchase amount (a partial approval captured in
  // full still leaves part of the order unpaid).
  const whole = sameMinorUnits(capReqAmt, order.purchAmt);
  const { capture, bytes, stored } = await capReqFor(ctx, order, auth, capReqAmt, key);
  if (!stored)
    await ctx.repo.commit(
      {
        orderId,
        expect: state,
        authorization: { ...auth, capture },
        messages: [{ from: "merchant", to: "gateway", type: "captureRequest", der: bytes }],
      },
      ctx.p.now(),
    );
  const brand = brandOf(ctx, order.purchase!);
  const settle = async (
    change: Partial<Capture>,
    extra: { to?: Order["state"]; detail: string; answer?: Uint8Array },
  ) => {
    await ctx.repo.commit(
      {
        orderId,
        expect: state,
        ...(extra.to ? { transitions: [{ to: extra.to, detail: extra.detail }] } : {}),
        authorization: { ...auth, capture: { ...capture, ...change } },
        ...(extra.answer
          ? { messages: [{ from: "gateway", to: "merchant", type: "captureResponse", der: extra.answer }] }
          : {}),
      },
      ctx.p.now(),
    );
    return (await ctx.repo.order(orderId))!;
  };
  let answer: Uint8Array;
  try {
    answer = await ctx.gateway.send(brand.gateway.id, bytes, call);
  } catch (e) {
    const why = e instanceof GatewayUnreachableError ? "unreachable" : "call failed";
    return settle({ failure: `gateway ${brand.gateway.id} ${why}: ${(e as Error).message}` }, { detail: "" });
  }
  const transIDs = decodeDer(schema.TransIDs, fromHex(order.purchase!.transIDs), "TransIDs");
  try {
    const received = await receiveCapRes(
      ctx.p,
      answer,
      {
        capRRPID: fromHex(capture.capRRPID!),
        items: [{ transIDs, authRRPID: fromHex(auth.authRRPID), capReqAmt }],
        brand: brand.brandID,
        gateway: brand.gateway.certificate,
      },
      {
        decrypter: brand.decrypter,
        trust: { ...ctx.config.trust, at: ctx.p.now() },
        understoodExtensions: ctx.config.understoodExtensions,
      },
    );
    const item = received.items[0];
    const { capCode, capAmt, batchID, batchSequenceNum } = item.payload;
    if (item.verdict === "captured")
      return settle(
        {
          capCode,
          capAmt,
          ...(batchID !== undefined ? { batchID } : {}),
          ...(batchSequenceNum ? { batchSequenceNum } : {}),
        },
        {
          to: whole ? "captured" : "partiallyCaptured",
          detail: `captured ${formatCurrencyAmount(capAmt)}`,
          answer,
        },
      );
    if (item.verdict === "refused") return settle({ capCode, capAmt }, { detail: "", answer });
    return settle(
      {
        failure: `CapAmt ${formatCurrencyAmount(capAmt)} is not the ${formatCurrencyAmount(capReqAmt)} asked`,
      },
      { detail: "", answer },
    );
  } catch (e) {
    if (!(e instanceof SetError)) throw e;
    const failure =
      e instanceof RemoteSetError
        ? `the gateway answered with a SET Error: ${e.code}`
        : `CapRes refused: ${e.message}`;
    return settle({ failure }, { detail: "", answer });
  }
}
