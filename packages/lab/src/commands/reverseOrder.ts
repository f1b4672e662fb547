/**
 * `set-lab reverse ORDER [AMOUNT]`: the merchant reverses an order's uncaptured authorization
 * through its admin route `POST /orders/:id/reverse-authorization`: cancels it (no AMOUNT, or 0),
 * or reduces it to AMOUNT (a decimal in the order's currency).
 */
import type { AdminAccess } from "@setlab/runtime/dist/adminAccess";
import { adminOf, readState } from "../labState";
import { amountInOrderCurrency, checkOrderId, type OrderAmount, postOrderOperation } from "./orderAdminRoute";

/** What the lab shows of the order after the reversal. */
export interface ReversedOrder {
  readonly id: number;
  readonly state: string;
  readonly currency: number;
  readonly authorization?: {
    readonly authAmt?: OrderAmount;
    readonly reversal?: {
      readonly authRevCode?: string;
      readonly authNewAmt?: OrderAmount;
      readonly failure?: string;
    };
  } | null;
}

export async function reverseOrderAt(
  merchant: AdminAccess,
  orderId: string,
  amount?: string,
): Promise<ReversedOrder> {
  checkOrderId(orderId);
  // Zero is a cancellation, which the route takes as no amount.
  const cancel = amount === undefined || /^0+(\.0+)?$/.test(amount);
  const body = cancel ? {} : await amountInOrderCurrency(merchant, orderId, amount);
  return postOrderOperation<ReversedOrder>(merchant, orderId, "reverse-authorization", body);
}

export function reverseOrder(home: string, orderId: string, amount?: string): Promise<ReversedOrder> {
  return reverseOrderAt(adminOf(readState(home), "merchant"), orderId, amount);
}
