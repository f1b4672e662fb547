/**
 * `Merchant.inquire`: the shop's back office asks what SET says about an order now, the same
 * answer the cardholder's InqReq gets (inquiryPayload.ts): per authorization of the purchase, the
 * CompletionCode and the amounts authorized, captured and standing credited, read from the
 * merchant's store (no message to the gateway: SET gives the merchant no inquiry of its own; the
 * store holds every answer the gateway gave).
 */
import type { schema } from "@setlab/protocol";
import { numberedInquiryPayloads } from "./inquiryPayload";
import type { Order } from "./order";
import type { OrderState } from "./orderState";

/** What SET says about one authorization of the purchase (one PResPayload of the InqRes). */
export interface AuthorizationInquiry {
  /** 1 the first (the buyer's PReq), 2 and on the later ones, as the `authorization` options number them. */
  readonly authorization: number;
  /** SET's CompletionCode for this authorization as it stands (orderReceived before any). */
  readonly completionCode: string;
  readonly authorizedAmount?: schema.CurrencyAmount;
  readonly capturedAmount?: schema.CurrencyAmount;
  /** Credits that stand (not taken back), oldest first. */
  readonly credits?: readonly { readonly date: string; readonly amount: schema.CurrencyAmount }[];
}

/** The order's inquiry: the first authorization's answer at the top, every authorization's in `authorizations`. */
export interface OrderInquiry extends Omit<AuthorizationInquiry, "authorization"> {
  readonly orderId: number;
  readonly state: OrderState;
  /**
   * Every authorization the InqRes tells of, the first one first, then each later one the gateway
   * approved (a split shipment's parts, installments, recurring payments): past 16, the first and
   * the 15 latest, as SET's PResPayloadSeq holds at most 16.
   */
  readonly authorizations: readonly AuthorizationInquiry[];
}

function statusOf(authorization: number, payload: schema.PResPayload): AuthorizationInquiry {
  const r = payload.results;
  return {
    authorization,
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

export function inquiryOf(order: Order): OrderInquiry {
  const authorizations = order.xid
    ? numberedInquiryPayloads(order, order.xid).map((n) => statusOf(n.authorization, n.payload))
    : [statusOf(1, { completionCode: "orderReceived" })];
  const { authorization: _first, ...first } = authorizations[0];
  return { orderId: order.id, state: order.state, ...first, authorizations };
}
