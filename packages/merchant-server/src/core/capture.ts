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
  receiveCapRes,
  sameMinorUnits,
  schema,
  sealCapReq,
  toHex,
  toMinorUnits,
  wholeSeconds,
} from "@setlab/protocol";
import { capRRPIDKey } from "../store/keyedGatewayRequests";
import { parseAmountBody } from "./amountBody";
import { answerReceiver } from "./answerReceiver";
import {
  type AuthorizationPart,
  checkAuthorizationNumber,
  laterPartState,
  type PartRequestInputCode,
  type PartRequestOptions,
  partDetail,
  withPart,
} from "./authorizationPart";
import type { CallContext, MerchantContext } from "./context";
import { earlierRequest } from "./earlierRequest";
import { InputError } from "./inputError";
import { askKept, keepRequest, orderOperation, wrapOrderRequest } from "./keptRequest";
import { checkIdempotencyKey } from "./newOrder";
import type { Capture, Order } from "./order";
import { OrderStateError } from "./orderState";
import { brandOf } from "./purchaseBrand";
import { storedMessageOf } from "./storedMessage";

/** `Merchant.capture`'s options. */
export interface CaptureOptions extends PartRequestOptions {
  /** Part of AuthAmt, in its currency (SET's CapReqAmt); absent: all of it. */
  readonly amount?: schema.CurrencyAmount;
}

/** The stable codes of `CaptureInputError`: a shop may branch on them; the messages may change. */
export type CaptureInputErrorCode =
  | PartRequestInputCode
  | "invalidBody"
  | "noCapToken"
  | "captureWaiting"
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
  auth: AuthorizationPart,
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
    // Other authorizations of the purchase may have sent CapReqs since: this one's by its CapRRPID.
    const sent = pending.capRRPID
      ? storedMessageOf(await ctx.repo.messages(order.id), "captureRequest", pending.capRRPID)
      : undefined;
    if (sent) return { capture: pending, bytes: sent, stored: true };
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
  const bytes = wrapOrderRequest(ctx, { type: "captureRequest", value: capReq }, transIDs, capRRPID, date);
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

/**
 * Capture `amount` (default: all of AuthAmt) of the order's authorization (`options.authorization`:
 * the first, or a later one). Refused before any message (CaptureInputError, OrderStateError) for
 * an unknown order or authorization, an order not authorized (the first), an authorization
 * captured already, without a CapToken, or an amount over its AuthAmt or in another currency. Otherwise
 * the order is returned as it is after the gateway's answer: `captured` (all of the purchase
 * amount) / `partiallyCaptured` (less) on success; unchanged in state, with `authorization.capture` saying why, when the gateway refused
 * (its CapCode) or no usable answer came (`failure`; calling again sends the same CapReq).
 */
export const captureOrder = orderOperation(
  (message) => new CaptureInputError("noSuchOrder", message),
  captureNow,
);

async function captureNow(
  ctx: MerchantContext,
  order: Order,
  options: CaptureOptions,
  call: CallContext,
): Promise<Order> {
  const orderId = order.id;
  const { amount, idempotencyKey: key } = options;
  if (key !== undefined)
    try {
      checkIdempotencyKey(key);
    } catch (e) {
      throw new CaptureInputError("invalidIdempotencyKey", (e as Error).message);
    }
  const partNo = checkAuthorizationNumber(
    options.authorization,
    (message) => new CaptureInputError("noSuchAuthorization", message),
  );
  const { part, earlier } = earlierRequest(
    order,
    partNo,
    key,
    {
      name: "capture",
      keptOn: (a) => a.capture,
      askedTheSame: (c) => amount === undefined || sameMinorUnits(c.capReqAmt, amount),
    },
    (message) => new CaptureInputError("idempotencyKeyReused", message),
  );
  // The call this key names was answered: it acted once, and a repeat returns the order as it is.
  if (earlier && earlier.capCode !== undefined) return order;
  const state = order.state;
  if (partNo === 1 && !(capturable as readonly string[]).includes(state))
    throw new OrderStateError(`order ${orderId} is ${state}: only an authorized order can be captured`);
  if (!part)
    throw new CaptureInputError(
      "noSuchAuthorization",
      `order ${orderId}'s purchase has no approved authorization ${partNo}`,
    );
  // A later authorization is captured by its own state: authorized, neither captured nor cancelled.
  const partState = laterPartState(part);
  if (partNo !== 1 && partState !== "authorized")
    throw new OrderStateError(
      `order ${orderId}'s authorization ${partNo} is ${partState}: only an authorized one can be captured`,
    );
  const auth = order.authorization!;
  if (!part.capToken || !part.authAmt)
    throw new CaptureInputError(
      "noCapToken",
      `order ${orderId}'s authorization ${partNo} carries no CapToken to capture with`,
    );
  const capReqAmt = earlier?.capReqAmt ?? amount ?? part.authAmt;
  checkAmount(capReqAmt, part.authAmt);
  // Captured means the order is paid: all of the purchase amount (a partial approval captured in
  // full still leaves part of the order unpaid). A later authorization's capture leaves the order
  // in its state, and is a line of its history.
  const to = (whole: boolean): Order["state"] =>
    partNo !== 1 ? state : whole ? "captured" : "partiallyCaptured";
  const whole = sameMinorUnits(capReqAmt, order.purchAmt);
  const { capture, bytes, stored } = await capReqFor(ctx, order, part, capReqAmt, key);
  const recorded = (change: Partial<Capture>) =>
    withPart(auth, partNo, { capture: { ...capture, ...change } });
  if (!stored)
    await keepRequest(ctx, {
      order,
      authorization: withPart(auth, partNo, { capture }),
      type: "captureRequest",
      bytes,
    });
  const brand = brandOf(ctx, order.purchase!);
  const transIDs = decodeDer(schema.TransIDs, fromHex(order.purchase!.transIDs), "TransIDs");
  return askKept(
    ctx,
    {
      order,
      brand,
      bytes,
      answer: { type: "captureResponse", name: "CapRes" },
      failed: (failure) => ({ authorization: recorded({ failure }) }),
      received: async (answer) => {
        const received = await receiveCapRes(
          ctx.p,
          answer,
          {
            capRRPID: fromHex(capture.capRRPID!),
            items: [{ transIDs, authRRPID: fromHex(part.authRRPID), capReqAmt }],
            brand: brand.brandID,
            gateway: brand.gateway.certificate,
          },
          answerReceiver(ctx, brand),
        );
        const item = received.items[0];
        const { capCode, capAmt, batchID, batchSequenceNum } = item.payload;
        if (item.verdict === "captured")
          return {
            authorization: recorded({
              capCode,
              capAmt,
              ...(batchID !== undefined ? { batchID } : {}),
              ...(batchSequenceNum ? { batchSequenceNum } : {}),
            }),
            transition: {
              to: to(whole),
              detail: partDetail(partNo, `captured ${formatCurrencyAmount(capAmt)}`),
            },
          };
        if (item.verdict === "refused") return { authorization: recorded({ capCode, capAmt }) };
        return {
          authorization: recorded({
            failure: `CapAmt ${formatCurrencyAmount(capAmt)} is not the ${formatCurrencyAmount(capReqAmt)} asked`,
          }),
        };
      },
    },
    call,
  );
}
