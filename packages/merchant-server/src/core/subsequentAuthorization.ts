/**
 * A later authorization of an authorized purchase (digest 3.5): a split shipment's next part, or
 * the next installment or recurring payment. The AuthReq's PI is the AuthToken the previous
 * authorization's AuthRes gave (the cardholder is not asked again); the gateway judges it against
 * what the token allows (what remains of the purchase, the installment count, the recurring
 * period and expiry) and answers with an AuthRes that may carry the next token. The AuthReq is
 * committed before it leaves, so a call whose answer was lost sends the same bytes again (the
 * gateway answers a repeat with its stored AuthRes): a part is never authorized twice.
 */
import {
  decodeDer,
  encodeDer,
  formatCurrencyAmount,
  fromHex,
  schema,
  sealSubsequentAuthReq,
  subsequentAuthReqData,
  toHex,
  toMinorUnits,
  wholeSeconds,
} from "@setlab/protocol";
import { readAuthorization } from "./authorization";
import type { CallContext, MerchantContext } from "./context";
import { isSplitShipment } from "./firstAuthorization";
import { InputError } from "./inputError";
import { askKept, keepRequest, orderOperation, wrapOrderRequest } from "./keptRequest";
import type { Authorization, Order, SubsequentAuthorization } from "./order";
import { OrderStateError, subsequentlyAuthorizable } from "./orderState";
import { brandOf } from "./purchaseBrand";

/** What `Merchant.authorizeSubsequent` takes. */
export interface SubsequentAuthorizationInput {
  /** The amount of this part or payment, in the order's currency. */
  readonly amount: schema.CurrencyAmount;
  /**
   * The shop's key for this call: a repeat with the same key (and amount) acts once and returns
   * the order; the same key with another amount is refused.
   */
  readonly idempotencyKey?: string;
}

/** A later authorization the merchant refuses before asking the gateway. */
export class SubsequentAuthorizationInputError extends InputError<
  "noSuchOrder" | "noAuthToken" | "invalidAmount" | "idempotencyKeyReused"
> {
  override readonly name = "SubsequentAuthorizationInputError";
}

/** The AuthToken to use: the last approved authorization's, or none when it gave none. */
function currentAuthToken(auth: Authorization): string | undefined {
  const approved = (auth.subsequent ?? []).filter((s) => s.authCode === "approved");
  return approved.length > 0 ? approved.at(-1)!.authToken : auth.authToken;
}

function checkAmount(amount: schema.CurrencyAmount, order: Order): void {
  const asked = toMinorUnits(amount);
  const purchase = toMinorUnits(order.purchAmt);
  if (!asked.ok)
    throw new SubsequentAuthorizationInputError("invalidAmount", `the amount is refused: ${asked.reason}`);
  if (!purchase.ok || asked.currency.code !== purchase.currency.code)
    throw new SubsequentAuthorizationInputError(
      "invalidAmount",
      `the amount must be in the order's currency (${formatCurrencyAmount(order.purchAmt)})`,
    );
}

const sameAmount = (a: schema.CurrencyAmount, b: schema.CurrencyAmount) =>
  formatCurrencyAmount(a) === formatCurrencyAmount(b);

/**
 * Authorize `input.amount` more of the order's purchase with its current AuthToken. Refused before
 * any message (SubsequentAuthorizationInputError, OrderStateError) for an unknown order, one not
 * authorized, one whose authorizations gave no AuthToken (nothing more allowed), or an amount not
 * in the order's currency. Otherwise the order is returned after the gateway's answer, the new
 * authorization last in `authorization.subsequent` with its AuthCode (or, without a usable
 * answer, its `failure`: calling again sends the same AuthReq). An approval is recorded in the
 * order's history and announced by an `authorized` event naming the part.
 */
export const authorizeSubsequent = orderOperation(
  (message) => new SubsequentAuthorizationInputError("noSuchOrder", message),
  authorizeSubsequentNow,
);

async function authorizeSubsequentNow(
  ctx: MerchantContext,
  order: Order,
  input: SubsequentAuthorizationInput,
  call: CallContext,
): Promise<Order> {
  const orderId = order.id;
  const state = order.state;
  if (!(subsequentlyAuthorizable as readonly string[]).includes(state) || !order.authorization)
    throw new OrderStateError(
      `order ${orderId} is ${state}: only an authorized purchase is authorized again`,
    );
  const auth = order.authorization;
  const done = auth.subsequent ?? [];
  if (input.idempotencyKey !== undefined) {
    const earlier = done.find((s) => s.idempotencyKey === input.idempotencyKey);
    if (earlier && !sameAmount(earlier.authReqAmt, input.amount))
      throw new SubsequentAuthorizationInputError(
        "idempotencyKeyReused",
        `idempotency key ${input.idempotencyKey} asked for ${formatCurrencyAmount(earlier.authReqAmt)}`,
      );
    if (earlier && earlier.authCode !== undefined) return order;
  }
  checkAmount(input.amount, order);
  const pending = done.at(-1)?.authCode === undefined ? done.at(-1) : undefined;
  if (pending && !sameAmount(pending.authReqAmt, input.amount))
    throw new SubsequentAuthorizationInputError(
      "invalidAmount",
      `an authorization of ${formatCurrencyAmount(pending.authReqAmt)} is waiting for the gateway's answer`,
    );
  const brand = brandOf(ctx, order.purchase!);
  const transIDs = decodeDer(schema.TransIDs, fromHex(order.purchase!.transIDs), "TransIDs");
  let entry: SubsequentAuthorization;
  let bytes: Uint8Array;
  const sent = pending
    ? (await ctx.repo.messages(orderId)).filter((m) => m.type === "authorizationRequest").at(-1)
    : undefined;
  if (pending && sent) {
    entry = pending;
    bytes = sent.der;
  } else {
    const token = currentAuthToken(auth);
    if (!token)
      throw new SubsequentAuthorizationInputError(
        "noAuthToken",
        `order ${orderId}'s authorizations carry no AuthToken: the gateway allows no further authorization`,
      );
    const { p } = ctx;
    const date = wholeSeconds(p.now());
    const authRRPID = p.random(20);
    // Refused attempts do not count: the part is the next one the token allows.
    const part = done.filter((s) => s.authCode === "approved").length + 2;
    const data = subsequentAuthReqData({
      merchantID: ctx.config.merchantID,
      authRRPID,
      date,
      transIDs,
      authReqAmt: input.amount,
      installRecurSeqNum: part,
      // A split shipment with more parts to come asks for the next token.
      subsequentAuthInd: isSplitShipment(order),
    });
    const authToken = decodeDer(schema.AuthToken, fromHex(token), "AuthToken");
    const sealed = await sealSubsequentAuthReq(
      p,
      brand.authSigner,
      brand.gateway.certificate,
      data,
      authToken,
    );
    bytes = wrapOrderRequest(ctx, { type: "authorizationRequest", value: sealed }, transIDs, authRRPID, date);
    entry = {
      part,
      authRRPID: toHex(authRRPID),
      authReqAmt: input.amount,
      // Sealed to the gateway in the AuthReq: kept, as an AuthRevReq of this authorization returns it.
      authReqData: toHex(encodeDer(schema.AuthReqData, data)),
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
      at: date.toISOString(),
    };
    await keepRequest(ctx, {
      order,
      authorization: { ...auth, subsequent: [...done, entry] },
      type: "authorizationRequest",
      bytes,
    });
  }
  const before = done.filter((s) => s !== pending);
  const recorded = (change: Partial<SubsequentAuthorization>): Authorization => ({
    ...auth,
    subsequent: [...before, { ...entry, ...change }],
  });
  return askKept(
    ctx,
    {
      order,
      brand,
      bytes,
      answer: { type: "authorizationResponse", name: "AuthRes" },
      failed: (failure) => ({ authorization: recorded({ failure }) }),
      received: async (answer) => {
        const result = await readAuthorization(ctx, brand, answer, {
          authRRPID: fromHex(entry.authRRPID),
          transIDs,
          authReqAmt: entry.authReqAmt,
        });
        if (result.kind === "failed") return { authorization: recorded({ failure: result.reason }) };
        const header = result.data.authResPayload.authHeader;
        const { capToken, authToken } = result.baggage;
        const approvalCode = header.responseData.authValCodes?.approvalCode;
        const approved = result.kind === "approved" || result.kind === "partial";
        return {
          authorization: recorded({
            authCode: header.authCode,
            authAmt: header.authAmt,
            authDate: ctx.p.now().toISOString(),
            ...(approvalCode ? { approvalCode } : {}),
            ...(capToken && capToken.type !== "none"
              ? { capToken: toHex(encodeDer(schema.CapToken, capToken)) }
              : {}),
            ...(authToken ? { authToken: toHex(encodeDer(schema.AuthToken, authToken)) } : {}),
            failure: undefined,
          }),
          // The gateway's decision is recorded in the history without moving the order.
          transition: {
            to: state,
            detail: approved
              ? `authorization ${entry.part} approved: ${formatCurrencyAmount(header.authAmt)}`
              : `authorization ${entry.part} refused: AuthCode ${header.authCode}`,
          },
        };
      },
    },
    call,
  );
}
