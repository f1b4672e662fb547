/**
 * `set-lab capture ORDER [AMOUNT]`: the merchant captures an order's authorization, all of it or
 * AMOUNT (a decimal in the order's currency), through its admin route `POST /orders/:id/capture`.
 */
import type { AdminAccess } from "@setlab/runtime/dist/adminAccess";
import { adminOf, readState } from "../labState";
import { amountInOrderCurrency, checkOrderId, type OrderAmount, postOrderOperation } from "./orderAdminRoute";

/** What the lab shows of the order after the capture. */
export interface CapturedOrder {
  readonly id: number;
  readonly state: string;
  readonly currency: number;
  readonly authorization?: {
    readonly capture?: {
      readonly capCode?: string;
      readonly capAmt?: OrderAmount;
      readonly failure?: string;
    };
  } | null;
}

export async function captureOrderAt(
  merchant: AdminAccess,
  orderId: string,
  amount?: string,
): Promise<CapturedOrder> {
  checkOrderId(orderId);
  const body = amount === undefined ? {} : await amountInOrderCurrency(merchant, orderId, amount);
  return postOrderOperation<CapturedOrder>(merchant, orderId, "capture", body);
}

export function captureOrder(home: string, orderId: string, amount?: string): Promise<CapturedOrder> {
  return captureOrderAt(adminOf(readState(home), "merchant"), orderId, amount);
}
