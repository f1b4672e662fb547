/**
 * `set-lab settle`: the merchant closes its open batch at the gateway (BatchAdminReq through its
 * admin route `POST /batches/close`), then the gateway's settlement report of that batch is read
 * from the gateway's admin listener: its sales, credits and net per brand and currency, and its
 * items (captures, capture reversals, credits, credit reversals).
 */
import { type AdminAccess, adminHeaders, httpRequest } from "@setlab/runtime/client";
import { httpJson } from "../httpJson";
import { adminOf, LabFailure, readState } from "../labState";

/** The merchant's view of the batch it closed (its BatchAdminRes). */
export interface ClosedBatch {
  readonly code: string;
  readonly merchantID: string;
  readonly batchId: number;
  readonly closed?: string;
  readonly itemCount?: number;
  /** Per brand and currency: sales and credit items counted, their sums and the net, as people read them. */
  readonly totals: readonly {
    brand: string;
    salesCount: number;
    creditCount: number;
    shown: { sales: string; credits: string; net: string };
  }[];
}

export interface Settlement {
  readonly batch: ClosedBatch;
  /** The gateway's report as a table (absent when no batch was open). */
  readonly table?: string;
  /** The gateway's report as JSON. */
  readonly report?: unknown;
}

async function gatewayReport(gateway: AdminAccess, batch: ClosedBatch, format: "table" | "json") {
  const url = `${gateway.url}/admin/batches/${encodeURIComponent(batch.merchantID)}/${batch.batchId}/settlement`;
  if (format === "json") return httpJson<unknown>(url, { headers: adminHeaders(gateway.token) });
  const res = await httpRequest(`${url}?format=table`, {
    headers: adminHeaders(gateway.token),
    timeoutMs: 15_000,
    maxResponseBytes: 16 * 1024 * 1024,
  }).catch((e: Error) => {
    throw new LabFailure(e.message);
  });
  const text = res.body.toString("utf8");
  if (res.status !== 200) throw new LabFailure(`${url} answered HTTP ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

/** The order as `POST /captures` answers it. */
export interface CapturedInBatch {
  readonly id: number;
  readonly state: string;
  readonly capture: {
    capCode?: string;
    batchID?: number;
    batchSequenceNum?: number;
    failure?: string;
  } | null;
}

/** The merchant captures the orders in one CapReq (its admin route `POST /captures`). */
export async function captureInBatchAt(merchant: AdminAccess, orderIds: readonly number[]) {
  return httpJson<{ capRRPID: string; failure?: string; orders: CapturedInBatch[] }>(
    `${merchant.url}/captures`,
    {
      method: "POST",
      headers: { ...adminHeaders(merchant.token), "content-type": "application/json" },
      body: JSON.stringify({ orders: orderIds }),
    },
  );
}

export async function settleAt(merchant: AdminAccess, gateway: AdminAccess): Promise<Settlement> {
  const batch = await httpJson<ClosedBatch>(`${merchant.url}/batches/close`, {
    method: "POST",
    headers: { ...adminHeaders(merchant.token), "content-type": "application/json" },
    body: "{}",
  });
  if (batch.code !== "success") return { batch };
  const [table, report] = await Promise.all([
    gatewayReport(gateway, batch, "table") as Promise<string>,
    gatewayReport(gateway, batch, "json"),
  ]);
  return { batch, table, report };
}

export function settle(home: string): Promise<Settlement> {
  const state = readState(home);
  return settleAt(adminOf(state, "merchant"), adminOf(state, "gateway"));
}
