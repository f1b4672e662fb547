/**
 * `set-lab reverse ORDER [AMOUNT]`: the merchant reverses an order's uncaptured authorization
 * through its admin route `POST /orders/:id/reverse-authorization`: cancels it (no AMOUNT, or 0),
 * or reduces it to AMOUNT (a decimal in the order's currency).
 */
import { type AdminAccess, adminHeaders } from "@setlab/runtime/dist/adminAccess";
import { purchAmtOf } from "../currency";
import { httpJson } from "../httpJson";
import { adminOf, LabFailure, readState } from "../labState";

/** What the lab shows of the order after the reversal. */
export interface ReversedOrder {
  readonly id: number;
  readonly state: string;
  readonly currency: number;
  readonly authorization?: {
    readonly authAmt?: { currency: number; amount: number; amtExp10: number };
    readonly reversal?: {
      readonly authRevCode?: string;
      readonly authNewAmt?: { currency: number; amount: number; amtExp10: number };
      readonly failure?: string;
    };
  } | null;
}

export async function reverseOrderAt(
  merchant: AdminAccess,
  orderId: string,
  amount?: string,
): Promise<ReversedOrder> {
  if (!/^[1-9][0-9]{0,15}$/.test(orderId)) throw new LabFailure(`"${orderId}" is not an order number`);
  const headers = adminHeaders(merchant.token);
  let body = {};
  // Zero is a cancellation, which the route takes as no amount.
  if (amount !== undefined && !/^0+(\.0+)?$/.test(amount)) {
    const order = await httpJson<{ currency: number }>(`${merchant.url}/orders/${orderId}`, { headers });
    const a = purchAmtOf(amount, String(order.currency));
    body = { amount: a.amount, amtExp10: a.amtExp10 };
  }
  return httpJson<ReversedOrder>(`${merchant.url}/orders/${orderId}/reverse-authorization`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

export function reverseOrder(home: string, orderId: string, amount?: string): Promise<ReversedOrder> {
  return reverseOrderAt(adminOf(readState(home), "merchant"), orderId, amount);
}
