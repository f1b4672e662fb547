/**
 * `set-lab capture ORDER [AMOUNT] [--authorization N]`: the merchant captures an order's
 * authorization (the purchase's Nth: a split shipment's part), all of it or AMOUNT (a decimal in
 * the order's currency), through its admin route `POST /orders/:id/capture`.
 */
import type { AdminAccess } from "@setlab/runtime/client";
import { adminOf, readState } from "../labState";
import {
  amountInOrderCurrency,
  checkOrderId,
  type OrderWithAuthorizations,
  postOrderOperation,
} from "./orderAdminRoute";

/** What the lab shows of the order after the capture. */
export interface CapturedOrder extends OrderWithAuthorizations {
  readonly currency: number;
}

export async function captureOrderAt(
  merchant: AdminAccess,
  orderId: string,
  amount?: string,
  authorization?: number,
): Promise<CapturedOrder> {
  checkOrderId(orderId);
  const body = {
    ...(amount === undefined ? {} : await amountInOrderCurrency(merchant, orderId, amount)),
    ...(authorization !== undefined ? { authorization } : {}),
  };
  return postOrderOperation<CapturedOrder>(merchant, orderId, "capture", body);
}

export function captureOrder(
  home: string,
  orderId: string,
  amount?: string,
  authorization?: number,
): Promise<CapturedOrder> {
  return captureOrderAt(adminOf(readState(home), "merchant"), orderId, amount, authorization);
}
