/**
 * `set-lab reverse ORDER [AMOUNT] [--authorization N]`: the merchant reverses an order's
 * uncaptured authorization (the purchase's Nth: a split shipment's part) through its admin route
 * `POST /orders/:id/reverse-authorization`: cancels it (no AMOUNT, or 0), or reduces it to AMOUNT
 * (a decimal in the order's currency).
 */
import type { AdminAccess } from "@setlab/runtime/client";
import { adminOf, readState } from "../labState";
import {
  amountInOrderCurrency,
  checkOrderId,
  type OrderWithAuthorizations,
  postOrderOperation,
} from "./orderAdminRoute";

/** What the lab shows of the order after the reversal. */
export interface ReversedOrder extends OrderWithAuthorizations {
  readonly currency: number;
}

export async function reverseOrderAt(
  merchant: AdminAccess,
  orderId: string,
  amount?: string,
  authorization?: number,
): Promise<ReversedOrder> {
  checkOrderId(orderId);
  // Zero is a cancellation, which the route takes as no amount.
  const cancel = amount === undefined || /^0+(\.0+)?$/.test(amount);
  const body = {
    ...(cancel ? {} : await amountInOrderCurrency(merchant, orderId, amount)),
    ...(authorization !== undefined ? { authorization } : {}),
  };
  return postOrderOperation<ReversedOrder>(merchant, orderId, "reverse-authorization", body);
}

export function reverseOrder(
  home: string,
  orderId: string,
  amount?: string,
  authorization?: number,
): Promise<ReversedOrder> {
  return reverseOrderAt(adminOf(readState(home), "merchant"), orderId, amount, authorization);
}
