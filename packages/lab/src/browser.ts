/**
 * What the lab does in the buyer's browser before the mediator takes over: create an order at the
 * shop and fetch its initiation object. The bench and the soak both play this browser.
 */
import { type Initiation, readInitiation } from "@setlab/protocol";
import { httpRequest } from "@setlab/runtime";

/** 1 JPY: the issuer's holds stay far below any card's credit limit however many purchases run. */
export const smallestPurchAmt = { currency: 392, amount: 1, amtExp10: 0 } as const;

export interface BrowserOrder {
  readonly description: string;
  readonly brand: string;
  readonly profile?: string;
}

async function json(url: string, what: string, init: Parameters<typeof httpRequest>[1]): Promise<unknown> {
  const res = await httpRequest(url, { timeoutMs: 15_000, ...init });
  const text = res.body.toString("utf8");
  if (res.status < 200 || res.status > 299)
    throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** POST /orders at the shop for the smallest amount; the order's id. */
export async function createOrder(merchant: string, order: BrowserOrder, runId?: string): Promise<string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (runId) headers["x-setlab-run-id"] = runId;
  const created = (await json(`${merchant}/orders`, "POST /orders", {
    method: "POST",
    headers,
    body: JSON.stringify({ ...order, ...smallestPurchAmt }),
  })) as { id: string | number };
  return String(created.id);
}

/** GET the order's initiation object, parsed and checked as the mediator does. */
export async function fetchInitiation(
  merchant: string,
  orderId: string,
  runId?: string,
): Promise<Initiation> {
  const headers: Record<string, string> = runId ? { "x-setlab-run-id": runId } : {};
  return readInitiation(
    await json(`${merchant}/orders/${orderId}/initiation`, "GET initiation", { headers }),
  );
}
