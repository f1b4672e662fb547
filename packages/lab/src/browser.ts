/**
 * What happens before the mediator takes over: the shop's back office creates the order (on the
 * merchant's admin listener, with its token: buyers cannot create orders) and the buyer's browser
 * fetches its initiation object from the payment listener. The bench and the soak play both.
 */
import { type Initiation, readInitiation } from "@setlab/protocol/relay";
import { type AdminAccess, adminHeaders } from "@setlab/runtime/client";
import { httpJson } from "./httpJson";

/** 1 JPY: the issuer's holds stay far below any card's credit limit however many purchases run. */
export const smallestPurchAmt = { currency: 392, amount: 1, amtExp10: 0 } as const;

export interface BrowserOrder {
  readonly description: string;
  readonly brand: string;
  readonly profile?: string;
  /** In JPY; default the smallest amount (1). */
  readonly amount?: number;
}

/** POST /orders in the shop's back office (JPY, by default the smallest amount); the order's id. */
export async function createOrder(
  backOffice: AdminAccess,
  order: BrowserOrder,
  runId?: string,
): Promise<string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...adminHeaders(backOffice.token),
  };
  if (runId) headers["x-setlab-run-id"] = runId;
  const created = await httpJson<{ id: string | number }>(`${backOffice.url.replace(/\/$/, "")}/orders`, {
    method: "POST",
    headers,
    body: JSON.stringify({ ...smallestPurchAmt, ...order }),
  });
  return String(created.id);
}

/** GET the order's initiation object, parsed and checked as the mediator does. */
export async function fetchInitiation(
  merchant: string,
  orderId: string,
  runId?: string,
): Promise<Initiation> {
  const headers: Record<string, string> = runId ? { "x-setlab-run-id": runId } : {};
  return readInitiation(await httpJson<unknown>(`${merchant}/orders/${orderId}/initiation`, { headers }));
}
