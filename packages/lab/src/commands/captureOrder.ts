/**
 * `set-lab capture ORDER [AMOUNT]`: the merchant captures an order's authorization, all of it or
 * AMOUNT (a decimal in the order's currency), through its admin route `POST /orders/:id/capture`.
 */
import { type AdminAccess, adminHeaders } from "@setlab/runtime/dist/adminAccess";
import { purchAmtOf } from "../currency";
import { httpJson } from "../httpJson";
import { adminOf, LabFailure, readState } from "../labState";

/** What the lab shows of the order after the capture. */
export interface CapturedOrder {
  readonly id: number;
  readonly state: string;
  readonly currency: number;
  readonly authorization?: {
    readonly capture?: {
      readonly capCode?: string;
      readonly capAmt?: { currency: number; amount: number; amtExp10: number };
      readonly failure?: string;
    };
  } | null;
}

export async function captureOrderAt(
  merchant: AdminAccess,
  orderId: string,
  amount?: string,
): Promise<CapturedOrder> {
  if (!/^[1-9][0-9]{0,15}$/.test(orderId)) throw new LabFailure(`"${orderId}" is not an order number`);
  const headers = adminHeaders(merchant.token);
  let body = {};
  if (amount !== undefined) {
    const order = await httpJson<{ currency: number }>(`${merchant.url}/orders/${orderId}`, { headers });
    const a = purchAmtOf(amount, String(order.currency));
    body = { amount: a.amount, amtExp10: a.amtExp10 };
  }
  return httpJson<CapturedOrder>(`${merchant.url}/orders/${orderId}/capture`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

export function captureOrder(home: string, orderId: string, amount?: string): Promise<CapturedOrder> {
  return captureOrderAt(adminOf(readState(home), "merchant"), orderId, amount);
}
