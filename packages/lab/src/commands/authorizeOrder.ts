/**
 * `set-lab authorize ORDER AMOUNT`: the merchant authorizes more of an order's purchase with the
 * gateway's AuthToken (a split shipment's next part, the next installment or recurring payment),
 * through its admin route `POST /orders/:id/authorize`. AMOUNT is a decimal in the order's currency.
 */
import type { AdminAccess } from "@setlab/runtime/dist/adminAccess";
import { adminOf, readState } from "../labState";
import { amountInOrderCurrency, checkOrderId, type OrderAmount, postOrderOperation } from "./orderAdminRoute";

/** One later authorization as the merchant recorded it. */
export interface LaterAuthorization {
  readonly part: number;
  readonly authCode?: string;
  readonly authAmt?: OrderAmount;
  readonly failure?: string;
}

/** What the lab shows of the order after the authorization. */
export interface AuthorizedOrder {
  readonly id: number;
  readonly state: string;
  readonly authorization?: { readonly subsequent?: readonly LaterAuthorization[] } | null;
}

export async function authorizeOrderAt(
  merchant: AdminAccess,
  orderId: string,
  amount: string,
  idempotencyKey?: string,
): Promise<AuthorizedOrder> {
  checkOrderId(orderId);
  const body = await amountInOrderCurrency(merchant, orderId, amount);
  return postOrderOperation<AuthorizedOrder>(
    merchant,
    orderId,
    "authorize",
    body,
    idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
  );
}

export function authorizeOrder(home: string, orderId: string, amount: string): Promise<AuthorizedOrder> {
  return authorizeOrderAt(adminOf(readState(home), "merchant"), orderId, amount);
}
