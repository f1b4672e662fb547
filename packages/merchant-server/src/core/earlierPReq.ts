/**
 * A PReq seen before (its OIData.RRPID keys the stored answer): the same bytes get the stored PRes;
 * a PReq taken before a restart whose authorization was interrupted has its stored AuthReq sent
 * again, unchanged (same bytes, same AuthRRPID); another PReq under the RRPID is refused.
 */
import { decodeDer, fromHex, oiDataOf, SetError, schema } from "@setlab/protocol";
import { authorize } from "./authorizeAndAnswer";
import { type CallContext, type MerchantContext, requestHash, type SetOutcome } from "./context";
import type { Order } from "./order";
import { brandOf } from "./purchaseBrand";

/** The stored PRes of the same PReq, or the resumed authorization of a PReq taken before a restart. */
export async function earlierAnswer(
  ctx: MerchantContext,
  order: Order,
  key: string,
  hash: string,
  call: CallContext,
): Promise<SetOutcome | undefined> {
  const stored = await ctx.repo.idempotency("PReq", key);
  if (!stored) return undefined;
  if (stored.requestHash !== hash || stored.orderId !== order.id)
    throw new SetError("unknownRRPID", "this RRPID was already used by another PReq", "OIData.rrpid");
  const current = (await ctx.repo.order(order.id)) ?? order;
  if (stored.response)
    return {
      response: stored.response,
      requestType: "purchaseRequest",
      orderId: order.id,
      xid: order.xid,
      state: current.state,
      replayed: true,
    };
  if (current.state !== "authorizing")
    throw new SetError("unspecifiedFailure", `the order is ${current.state} without an answer`, "PReq");
  return resume(ctx, current, key, hash, call);
}

/** An authorization a stopped process left in flight: re-send the stored AuthReq, unchanged. */
async function resume(
  ctx: MerchantContext,
  order: Order,
  key: string,
  hash: string,
  call: CallContext,
): Promise<SetOutcome> {
  const messages = await ctx.repo.messages(order.id);
  // The PReq this authorization answers (a refused PReq recorded later has other bytes).
  const pReqDer = messages.find(
    (m) => m.from === "cardholder" && m.type === "purchaseRequest" && requestHash(m.der) === hash,
  )?.der;
  const authReq = messages.filter((m) => m.type === "authorizationRequest").at(-1)?.der;
  if (!pReqDer || !authReq)
    throw new SetError("unspecifiedFailure", "the interrupted authorization left no AuthReq", "PReq");
  const pReqWrapper = schema.decodeMessage(pReqDer);
  const authWrapper = schema.decodeMessage(authReq);
  if (pReqWrapper.message.type !== "purchaseRequest" || !authWrapper.messageHeader.rrpid)
    throw new SetError("unspecifiedFailure", "the stored messages are not a PReq and an AuthReq", "PReq");
  const transIDs = decodeDer(schema.TransIDs, fromHex(order.purchase!.transIDs));
  return authorize(
    ctx,
    order,
    {
      brand: brandOf(ctx, order.purchase!),
      transIDs,
      oiData: oiDataOf(pReqWrapper.message.value),
      authReq,
      authRRPID: authWrapper.messageHeader.rrpid,
      ...(order.authorization?.authReqData ? { authReqData: order.authorization.authReqData } : {}),
      key,
      hash,
    },
    call,
  );
}
