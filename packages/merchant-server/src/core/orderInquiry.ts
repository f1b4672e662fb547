/**
 * `Merchant.inquire`: the shop's back office asks what SET says about an order now, the same
 * answer the cardholder's InqReq gets (inquiryPayload.ts): the CompletionCode and the amounts
 * authorized, captured and standing credited, read from the merchant's store (no message to the
 * gateway: SET gives the merchant no inquiry of its own; the store holds every answer the gateway
 * gave).
 */
import type { schema } from "@setlab/protocol";
import { inquiryPayload } from "./inquiryPayload";
import type { Order } from "./order";
import type { OrderState } from "./orderState";

export interface OrderInquiry {
  readonly orderId: number;
  readonly state: OrderState;
  /** SET's CompletionCode for the order as it stands (orderReceived before any authorization). */
  readonly completionCode: string;
  readonly authorizedAmount?: schema.CurrencyAmount;
  readonly capturedAmount?: schema.CurrencyAmount;
  /** Credits that stand (not taken back), oldest first. */
  readonly credits?: readonly { readonly date: string; readonly amount: schema.CurrencyAmount }[];
}

export function inquiryOf(order: Order): OrderInquiry {
  const payload = order.xid ? inquiryPayload(order, order.xid) : { completionCode: "orderReceived" as const };
  const r = "results" in payload ? payload.results : undefined;
  return {
    orderId: order.id,
    state: order.state,
    completionCode: payload.completionCode,
    ...(r?.authStatus ? { authorizedAmount: r.authStatus.authAmt } : {}),
    ...(r?.capStatus ? { capturedAmount: r.capStatus.capAmt } : {}),
    ...(r?.credStatusSeq?.length
      ? {
          credits: r.credStatusSeq.map((c) => ({
            date: c.creditDate.toISOString(),
            amount: c.creditAmt,
          })),
        }
      : {}),
  };
}
