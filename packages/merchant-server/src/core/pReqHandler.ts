/**
 * PReq -> (AuthReq -> AuthRes) -> PRes (digest 3.4-3.6, patent steps S38-S54), one phase a file.
 *
 * Here: the merchant finds the PInitRes (and its order) by XID and verifies the PReq against what
 * that PInitRes fixed (`receivePReq`). Then a repeat gets its earlier answer (`earlierPReq.ts`), a new PReq
 * is taken: its PI forwarded to the gateway in an AuthReq (`takePurchase.ts`), the gateway asked
 * (`askGateway.ts`) and the cardholder answered with a signed PRes (`authorizeAndAnswer.ts`),
 * whose CompletionCode says what the gateway decided (`authorizationOutcome.ts`): approved,
 * partially approved, declined, or orderReceived when the gateway is unreachable, answers an Error
 * or an unusable AuthRes (the order is held, and the card is not left waiting). An authorization
 * left in doubt is settled later (`settleInDoubt.ts`).
 *
 * Idempotency: the PReq's OIData.RRPID keys the stored PRes; the same PReq bytes get the same PRes
 * bytes, and only one AuthReq is ever made for a PReq (an interrupted authorization is resumed by
 * re-sending the stored AuthReq, same bytes and AuthRRPID).
 */
import {
  decodeDer,
  fromHex,
  oiDataOf,
  type ReadMessage,
  receivePReq,
  SetError,
  schema,
  toHex,
  utf8,
} from "@setlab/protocol";
import { ConcurrentChangeError } from "../store/repository";
import { answeredIn } from "./answeredRequests";
import { type CallContext, type MerchantContext, requestHash, type SetOutcome } from "./context";
import { earlierAnswer } from "./earlierPReq";
import { issuedPurchaseOf } from "./issuedPurchases";
import { requiresCardholderCertificate } from "./merchantConfig";
import { OrderScopedError } from "./orderScopedError";
import { installRecurDataOf } from "./orderTerms";
import { brandOf } from "./purchaseBrand";
import { takePurchase } from "./takePurchase";

export async function handlePReq(
  ctx: MerchantContext,
  read: ReadMessage,
  pReq: schema.PReq,
  call: CallContext,
): Promise<SetOutcome> {
  const { bytes } = read;
  // OIData's XID names one PInitRes of one order (issuedPurchases.ts); receivePReq then judges the
  // PReq against what that PInitRes fixed.
  const oiData = oiDataOf(pReq);
  const xidHex = toHex(oiData.transIDs.xid);
  const issued = await issuedPurchaseOf(ctx, xidHex);
  const order = await ctx.repo.order(issued.orderId);
  if (!order) throw new SetError("unknownXID", "no order has this XID", "OIData.transIDs.xid");
  const key = toHex(oiData.rrpid);
  const hash = requestHash(bytes);
  try {
    const purchase = issued.purchase;
    const brand = brandOf(ctx, purchase);
    const transIDs = decodeDer(schema.TransIDs, fromHex(purchase.transIDs));
    const received = await receivePReq(
      ctx.p,
      read,
      {
        transIDs,
        chall_C: fromHex(purchase.chall_C),
        chall_M: fromHex(purchase.chall_M),
        od: utf8(order.description),
        purchAmt: order.purchAmt,
        ...(order.terms ? { installRecurData: installRecurDataOf(order.terms) } : {}),
        brandID: purchase.brandID,
        bin: purchase.bin,
        cardCertRequired: requiresCardholderCertificate(brand),
        understoodExtensions: ctx.config.understoodExtensions,
      },
      {
        trust: { ...ctx.config.trust, at: ctx.p.now() },
        now: ctx.p.now(),
        maxClockSkewMs: ctx.config.maxClockSkewMs,
        answered: answeredIn(ctx, "PReq", order),
      },
    );
    if (received.repeat) {
      const earlier = await earlierAnswer(ctx, order, key, hash, call);
      if (earlier) return earlier;
      throw new SetError("unspecifiedFailure", "the earlier PReq left no record", "PReq");
    }
    return await takePurchase(ctx, bytes, order, issued, received, oiData, brand, transIDs, key, hash, call);
  } catch (e) {
    if (e instanceof ConcurrentChangeError) {
      const again = await earlierAnswer(ctx, order, key, hash, call);
      if (again) return again;
      throw new OrderScopedError(
        order,
        new SetError("unspecifiedFailure", "another purchase request was taken for this order", "PReq"),
      );
    }
    if (e instanceof SetError) throw new OrderScopedError(order, e);
    throw e;
  }
}
