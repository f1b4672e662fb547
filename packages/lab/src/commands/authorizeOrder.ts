/**
 * `set-lab authorize ORDER AMOUNT`: the merchant authorizes more of an order's purchase with the
 * gateway's AuthToken (a split shipment's next part, the next installment or recurring payment),
 * through its admin route `POST /orders/:id/authorize`. AMOUNT is a decimal in the order's currency.
 */
import { type AdminAccess, adminHeaders } from "@setlab/runtime/dist/adminAccess";
import { purchAmtOf } from "../currency";
import { httpJson } from "../httpJson";
import { adminOf, LabFailure, readState } from "../labState";

/** One later authorization as the merchant recorded it. */
export interface LaterAuthorization {
  readonly part: number;
  readonly authCode?: string;
  readonly authAmt?: { currency: number; amount: number; amtExp10: number };
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
  if (!/^[1-9][0-9]{0,15}$/.test(orderId)) throw new LabFailure(`"${orderId}" is not an order number`);
  const headers = adminHeaders(merchant.token);
  const order = await httpJson<{ currency: number }>(`${merchant.url}/orders/${orderId}`, { headers });
  const a = purchAmtOf(amount, String(order.currency));
  return httpJson<AuthorizedOrder>(`${merchant.url}/orders/${orderId}/authorize`, {
    method: "POST",
    headers: {
      ...headers,
      "content-type": "application/json",
      ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
    },
    body: JSON.stringify({ amount: a.amount, amtExp10: a.amtExp10 }),
  });
}

export function authorizeOrder(home: string, orderId: string, amount: string): Promise<AuthorizedOrder> {
  return authorizeOrderAt(adminOf(readState(home), "merchant"), orderId, amount);
}
