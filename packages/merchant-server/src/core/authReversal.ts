/**
 * The merchant reverses an authorization it has not captured (digest 3.7): AuthRevReq =
 * EncB(M, P, AuthRevReqData, {PI, [CapToken]}) with the AuthReq's original AuthReqData and PI,
 * the AuthResPayload the authorization stands at and its CapToken, and the gateway's AuthRevRes
 * read with every check (`receiveAuthRevRes`). AuthNewAmt zero cancels the authorization (the
 * order becomes `reversed`); a lower amount reduces it (the order stays where it is, with the
 * lower AuthAmt and the new CapToken the answer carries). As for capture, the AuthRevReq is
 * committed before it leaves: a call whose answer was lost sends the same bytes again, and the
 * gateway answers a repeat with its stored AuthRevRes, so a reversal is never asked twice under
 * two ids.
 */
import {
  type CurrencyAmountValue,
  decodeDer,
  encodeDer,
  formatCurrencyAmount,
  fromHex,
  newAmountOf,
  openAuthRes,
  receiveAuthRevRes,
  sameNewAmount,
  schema,
  sealAuthRevReq,
  toHex,
  wholeSeconds,
} from "@setlab/protocol";
import { parseAmountBody } from "./amountBody";
import { answerReceiver } from "./answerReceiver";
import {
  type AuthorizationPart,
  checkAuthorizationNumber,
  laterPartState,
  type PartChange,
  type PartRequestInputCode,
  type PartRequestOptions,
  partDetail,
  withPart,
} from "./authorizationPart";
import type { CallContext, MerchantContext } from "./context";
import { earlierRequest } from "./earlierRequest";
import { InputError } from "./inputError";
import { askKept, keepRequest, orderOperation, wrapOrderRequest } from "./keptRequest";
import type { AuthReversal, Order } from "./order";
import { OrderStateError } from "./orderState";
import { brandOf } from "./purchaseBrand";
import { storedMessageOf } from "./storedMessage";

/** A reversal the merchant refuses before asking the gateway: no such order, an amount it cannot take. */
/** The stable codes of `ReversalInputError`: a shop may branch on them; the messages may change. */
export type ReversalInputErrorCode = PartRequestInputCode | "notReversible" | "reversalWaiting";

export class ReversalInputError extends InputError<ReversalInputErrorCode> {
  override readonly name = "ReversalInputError";
}

export interface ReverseAuthorizationOptions extends PartRequestOptions {
  /**
   * The new, lower authorized amount, in the authorization's currency (SET's AuthNewAmt); absent
   * or zero cancels the authorization.
   */
  readonly amount?: schema.CurrencyAmount;
}

/**
 * The JSON of `POST /orders/:id/reverse-authorization`: `{}` cancels the authorization;
 * `{amount, amtExp10?}` (in the order's currency) reduces it to that amount.
 */
export function parseReversalBody(body: unknown, currency: number): schema.CurrencyAmount | undefined {
  return parseAmountBody(body, currency, (message) => new ReversalInputError("invalidAmount", message), {
    nonNegative: true,
  });
}

const reversible = ["authorized", "partiallyAuthorized"] as const;

/** `amount` below the authorization: its currency, zero or more, less than AuthAmt, exactly. */
function checkAmount(amount: CurrencyAmountValue, authAmt: CurrencyAmountValue): void {
  const asked = newAmountOf(amount);
  const authorized = newAmountOf(authAmt);
  if (!asked.ok) throw new ReversalInputError("invalidAmount", `the new amount is refused: ${asked.reason}`);
  if (!authorized.ok || asked.currency !== authorized.currency)
    throw new ReversalInputError(
      "invalidAmount",
      `the new amount must be in the authorization's currency (${formatCurrencyAmount(authAmt)})`,
    );
  if (asked.minor >= authorized.minor)
    throw new ReversalInputError(
      "invalidAmount",
      `${formatCurrencyAmount(amount)} is not below the ${formatCurrencyAmount(authAmt)} authorized`,
    );
}

/**
 * The AuthResPayload the authorization stands at: the last reduction's AuthResPayloadNew, else
 * the AuthRes's own, read again from the stored AuthRes with the merchant's key-exchange key.
 */
async function authResPayloadOf(
  ctx: MerchantContext,
  order: Order,
  auth: AuthorizationPart,
): Promise<schema.AuthResPayload> {
  if (auth.authResPayload) return decodeDer(schema.AuthResPayload, fromHex(auth.authResPayload));
  const brand = brandOf(ctx, order.purchase!);
  // The authorization's own AuthRes: later authorizations of the purchase answered since.
  const stored = storedMessageOf(await ctx.repo.messages(order.id), "authorizationResponse", auth.authRRPID);
  const message = stored && schema.decodeMessage(stored).message;
  if (message?.type !== "authorizationResponse")
    throw new ReversalInputError("notReversible", `order ${order.id} keeps no AuthRes to reverse`);
  const opened = await openAuthRes(
    ctx.p,
    brand.decrypter,
    message.value,
    { ...ctx.config.trust, at: ctx.p.now() },
    { brand: brand.brandID },
  );
  return opened.data.authResPayload;
}

/** The PI's DER exactly as the AuthReq carried it (its baggage, in the clear beside the envelope). */
async function piOf(ctx: MerchantContext, order: Order, authRRPID: string): Promise<Uint8Array> {
  // The authorization's own AuthReq: a later authorization's (PI = AuthToken) may be stored since.
  const stored = storedMessageOf(await ctx.repo.messages(order.id), "authorizationRequest", authRRPID);
  const message = stored && schema.decodeMessage(stored).message;
  if (message?.type !== "authorizationRequest")
    throw new ReversalInputError("notReversible", `order ${order.id} keeps no AuthReq to reverse`);
  return message.value.pi;
}

/** The AuthRevReq to send: the stored one of a reversal still waiting for its answer, or a new one. */
async function authRevReqFor(
  ctx: MerchantContext,
  order: Order,
  auth: AuthorizationPart,
  authNewAmt: schema.CurrencyAmount,
  idempotencyKey: string | undefined,
): Promise<{ reversal: AuthReversal; bytes: Uint8Array; stored: boolean }> {
  const pending = auth.reversal && auth.reversal.authRevCode === undefined ? auth.reversal : undefined;
  if (pending) {
    if (!sameNewAmount(pending.authNewAmt, authNewAmt))
      throw new ReversalInputError(
        "reversalWaiting",
        `a reversal to ${formatCurrencyAmount(pending.authNewAmt)} is waiting for the gateway's answer`,
      );
    // Other authorizations of the purchase may have been reversed since: this one's by its RRPID.
    const sent = storedMessageOf(
      await ctx.repo.messages(order.id),
      "authReversalRequest",
      pending.authRevRRPID,
    );
    if (sent) return { reversal: pending, bytes: sent, stored: true };
  }
  if (!auth.authReqData)
    throw new ReversalInputError(
      "notReversible",
      `order ${order.id}'s authorization keeps no AuthReqData to reverse with`,
    );
  const { p } = ctx;
  const brand = brandOf(ctx, order.purchase!);
  const date = wholeSeconds(p.now());
  const authRevRRPID = p.random(20);
  const transIDs = decodeDer(schema.TransIDs, fromHex(order.purchase!.transIDs), "TransIDs");
  const data: schema.AuthRevReqData = {
    authRevTags: {
      authRevRRTags: {
        rrpid: authRevRRPID,
        merTermIDs: { merchantID: ctx.config.merchantID },
        currentDate: date,
      },
    },
    authReqData: decodeDer(schema.AuthReqData, fromHex(auth.authReqData), "AuthReqData"),
    authResPayload: await authResPayloadOf(ctx, order, auth),
    authNewAmt,
  };
  const capToken = auth.capToken ? decodeDer(schema.CapToken, fromHex(auth.capToken), "CapToken") : undefined;
  const sealed = await sealAuthRevReq(
    p,
    brand.authSigner,
    brand.gateway.certificate,
    data,
    await piOf(ctx, order, auth.authRRPID),
    capToken,
  );
  const bytes = wrapOrderRequest(
    ctx,
    { type: "authReversalRequest", value: sealed },
    transIDs,
    authRevRRPID,
    date,
  );
  return {
    reversal: {
      authRevRRPID: toHex(authRevRRPID),
      authNewAmt,
      previousAmt: auth.authAmt!,
      at: date.toISOString(),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    },
    bytes,
    stored: false,
  };
}

/**
 * Reverse the order's authorization to `options.amount` (default: cancel it). Refused before any
 * message (ReversalInputError, OrderStateError) for an unknown order, an order not authorized (a
 * captured one goes back by credit, not reversal), an amount not below AuthAmt or in another
 * currency, or an idempotency key reused with another amount. Otherwise the order is returned as
 * it is after the gateway's answer: `reversed` for a cancellation; for a reduction its state
 * again (recorded in its history) with the lower AuthAmt, the new CapToken and AuthResPayload;
 * unchanged, with `authorization.reversal` saying why, when the gateway refused (its AuthRevCode)
 * or no usable answer came (`failure`; calling again sends the same AuthRevReq).
 */
export const reverseAuthorization = orderOperation(
  (message) => new ReversalInputError("noSuchOrder", message),
  reverseNow,
);

async function reverseNow(
  ctx: MerchantContext,
  order: Order,
  options: ReverseAuthorizationOptions,
  call: CallContext,
): Promise<Order> {
  const orderId = order.id;
  const partNo = checkAuthorizationNumber(
    options.authorization,
    (message) => new ReversalInputError("noSuchAuthorization", message),
  );
  const key = options.idempotencyKey;
  const { part: auth, earlier } = earlierRequest(
    order,
    partNo,
    key,
    {
      name: "reversal",
      keptOn: (a) => a.reversal,
      askedTheSame: (r) => options.amount === undefined || sameNewAmount(r.authNewAmt, options.amount),
    },
    (message) => new ReversalInputError("idempotencyKeyReused", message),
  );
  // The call this key names was answered: it acted once, and a repeat returns the order as it is.
  if (earlier && earlier.authRevCode !== undefined) return order;
  const state = order.state;
  if (partNo === 1 && !(reversible as readonly string[]).includes(state))
    throw new OrderStateError(
      `order ${orderId} is ${state}: only an uncaptured authorization can be reversed`,
    );
  if (!auth)
    throw new ReversalInputError(
      "noSuchAuthorization",
      `order ${orderId}'s purchase has no approved authorization ${partNo}`,
    );
  // A later authorization is reversed by its own state: authorized, neither captured nor cancelled.
  const partState = partNo === 1 ? state : laterPartState(auth);
  if (partState !== "authorized")
    throw new OrderStateError(
      `order ${orderId}'s authorization ${partNo} is ${partState}: only an uncaptured authorization can be reversed`,
    );
  const authAmt = auth.authAmt!;
  const authNewAmt = earlier?.authNewAmt ?? options.amount ?? { ...authAmt, amount: 0 };
  checkAmount(authNewAmt, authAmt);
  const { reversal, bytes, stored } = await authRevReqFor(ctx, order, auth, authNewAmt, key);
  const recorded = (change: Partial<AuthReversal>, authorization?: PartChange) =>
    withPart(order.authorization!, partNo, { ...authorization, reversal: { ...reversal, ...change } });
  if (!stored)
    await keepRequest(ctx, {
      order,
      authorization: withPart(order.authorization!, partNo, { reversal }),
      type: "authReversalRequest",
      bytes,
    });
  const brand = brandOf(ctx, order.purchase!);
  return askKept(
    ctx,
    {
      order,
      brand,
      bytes,
      answer: { type: "authReversalResponse", name: "AuthRevRes" },
      failed: (failure) => ({ authorization: recorded({ failure }) }),
      received: async (answer) => {
        const received = await receiveAuthRevRes(
          ctx.p,
          answer,
          {
            authRevRRPID: fromHex(reversal.authRevRRPID),
            authNewAmt: reversal.authNewAmt,
            brand: brand.brandID,
            gateway: brand.gateway.certificate,
          },
          answerReceiver(ctx, brand),
        );
        const { authRevCode } = received.data;
        if (received.verdict === "refused") return { authorization: recorded({ authRevCode }) };
        if (received.verdict === "amountMismatch")
          return {
            authorization: recorded({
              failure: `the AuthRevRes approves ${formatCurrencyAmount(received.data.authNewAmt)}, not the ${formatCurrencyAmount(reversal.authNewAmt)} asked, or lacks the new CapToken`,
            }),
          };
        const cancelled = newAmountOf(reversal.authNewAmt).ok && reversal.authNewAmt.amount === 0;
        return {
          // The old CapToken names the old amount: dropped, or replaced by the answer's new one.
          authorization: recorded(
            { authRevCode },
            {
              authAmt: reversal.authNewAmt,
              capToken: received.capTokenNew
                ? toHex(encodeDer(schema.CapToken, received.capTokenNew))
                : undefined,
              authResPayload: received.capTokenNew
                ? toHex(encodeDer(schema.AuthResPayload, received.authResPayloadNew!))
                : undefined,
            },
          ),
          transition: {
            // A later authorization's reversal leaves the order where it is: a line of its history.
            to: cancelled && partNo === 1 ? "reversed" : state,
            detail: partDetail(
              partNo,
              cancelled
                ? `authorization of ${formatCurrencyAmount(reversal.previousAmt)} reversed`
                : `authorization reduced from ${formatCurrencyAmount(reversal.previousAmt)} to ${formatCurrencyAmount(reversal.authNewAmt)}`,
            ),
          },
        };
      },
    },
    call,
  );
}
