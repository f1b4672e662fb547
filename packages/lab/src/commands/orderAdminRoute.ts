/**
 * How the order commands (authorize, capture, reverse, refund, reverse-capture, reverse-refund)
 * call the merchant's admin routes `POST /orders/:id/OPERATION`: the order number checked before
 * any call, an amount read in the order's currency, one JSON POST with the admin token.
 */
import { type AdminAccess, adminHeaders } from "@setlab/runtime/client";
import { purchAmtOf } from "../currency";
import { httpJson } from "../httpJson";
import { LabFailure } from "../labState";

/** An amount as the lab shows it. */
export interface OrderAmount {
  readonly currency: number;
  readonly amount: number;
  readonly amtExp10: number;
}

/** Throws a LabFailure unless `orderId` is an order number (so it is safe in a URL). */
export function checkOrderId(orderId: string): void {
  if (!/^[1-9][0-9]{0,15}$/.test(orderId)) throw new LabFailure(`"${orderId}" is not an order number`);
}

/** `amount` (a decimal) in the order's currency, which is read from the merchant first. */
export async function amountInOrderCurrency(
  merchant: AdminAccess,
  orderId: string,
  amount: string,
): Promise<{ amount: number; amtExp10: number }> {
  const headers = adminHeaders(merchant.token);
  const order = await httpJson<{ currency: number }>(`${merchant.url}/orders/${orderId}`, { headers });
  const a = purchAmtOf(amount, String(order.currency));
  return { amount: a.amount, amtExp10: a.amtExp10 };
}

/** The POST to the order's admin route `operation`; the merchant's JSON answer. */
export function postOrderOperation<T>(
  merchant: AdminAccess,
  orderId: string,
  operation: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<T> {
  return httpJson<T>(`${merchant.url}/orders/${orderId}/${operation}`, {
    method: "POST",
    headers: { ...adminHeaders(merchant.token), "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** What the lab reads of one authorization of an order the merchant answered with. */
export interface AuthorizationView {
  readonly authAmt?: OrderAmount;
  readonly reversal?: {
    readonly authRevCode?: string;
    readonly authNewAmt?: OrderAmount;
    readonly failure?: string;
  };
  readonly capture?: {
    readonly capCode?: string;
    readonly capAmt?: OrderAmount;
    readonly batchID?: number;
    readonly failure?: string;
  };
  readonly capRevOrCreds?: readonly {
    readonly id: string;
    readonly kind: string;
    readonly amount: OrderAmount;
    readonly code?: string;
    readonly actualAmt?: OrderAmount;
    /** The batch the request named (NewBatchID), and the one the gateway booked it into. */
    readonly newBatchID?: number;
    readonly batchID?: number;
    readonly failure?: string;
  }[];
}

/** An order as the merchant's admin routes answer it, with its authorizations. */
export interface OrderWithAuthorizations {
  readonly id: number;
  readonly state: string;
  readonly authorization?:
    | (AuthorizationView & {
        readonly subsequent?: readonly (AuthorizationView & {
          readonly part: number;
          readonly authCode?: string;
        })[];
      })
    | null;
}

/** Authorization `n` of the order's purchase: 1 the first, 2 and on the later ones the gateway approved. */
export function authorizationOf(order: OrderWithAuthorizations, n = 1): AuthorizationView | undefined {
  const auth = order.authorization ?? undefined;
  if (n === 1) return auth;
  return auth?.subsequent?.find((s) => s.part === n && s.authCode === "approved");
}

/** `--authorization N` of a lab command: a whole number from 1. */
export function authorizationNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,5}$/.test(value))
    throw new LabFailure(
      `--authorization takes the number of one of the purchase's authorizations, not ${value}`,
    );
  return Number(value);
}
