/** Authorizations in doubt, settled by asking the gateway again with the stored AuthReq. */
import { decodeDer, fromHex, schema, wholeSeconds } from "@setlab/protocol";
import { type Asked, askGateway } from "./askGateway";
import { outcomeOf } from "./authorizationOutcome";
import type { CallContext, MerchantContext } from "./context";
import { gatewayMessage } from "./gatewayMessage";
import type { Order } from "./order";
import type { OrderState } from "./orderState";
import { brandOf } from "./purchaseBrand";

/**
 * Settle an order whose authorization is in doubt: send its stored AuthReq again (same bytes, same
 * AuthRRPID; the gateway answers a repeat with its stored AuthRes) and record the gateway's
 * decision. The cardholder already holds a PRes (orderReceived), which stays as it is. Returns
 * the order's state afterwards (`authorizing` while the doubt remains).
 */
export async function settleInDoubt(
  ctx: MerchantContext,
  order: Order,
  call: CallContext,
): Promise<OrderState> {
  const messages = await ctx.repo.messages(order.id);
  const authReq = messages.filter((m) => m.type === "authorizationRequest").at(-1)?.der;
  if (!authReq || !order.purchase) return order.state;
  const authRRPID = schema.decodeMessage(authReq).messageHeader.rrpid;
  if (!authRRPID) return order.state;
  const asked: Asked = {
    brand: brandOf(ctx, order.purchase),
    transIDs: decodeDer(schema.TransIDs, fromHex(order.purchase.transIDs)),
    authReq,
    authRRPID,
    ...(order.authorization?.authReqData ? { authReqData: order.authorization.authReqData } : {}),
  };
  const reading = await askGateway(ctx, order, asked, call);
  if (reading.inDoubt) return "authorizing";
  const decided = outcomeOf(asked, reading.result, wholeSeconds(ctx.p.now()));
  await ctx.repo.commit(
    {
      orderId: order.id,
      expect: "authorizing",
      transitions: [{ to: decided.state, detail: `settled after doubt: ${decided.detail}` }],
      // The cardholder was told orderReceived; that is what the record says it was sent.
      authorization: { ...decided.authorization, completionCode: "orderReceived" },
      messages: gatewayMessage(reading.answer),
    },
    ctx.p.now(),
  );
  return decided.state;
}
