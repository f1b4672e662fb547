/**
 * Decide phase of a BatchAdminReq: what the merchant's batches allow. Pure: the store's view comes
 * in. Batch 0 names the merchant's open batch. Open: a batch the merchant does not have yet, while
 * none is open (batchAlreadyOpen otherwise; batchClosed for a closed one); for 0, the next number.
 * Close: the open batch is closed; a batch already closed answers success again (a close repeated
 * under a new RRPID changes nothing); unknownBatch when there is no such batch. Query: any batch
 * of the merchant's. Another merchant's batches are not in its view: they are unknownBatch.
 */
import type { schema } from "@setlab/protocol";
import type { BatchLedgerView } from "./batchPlacement";

export interface BatchAdminDecision {
  readonly code: schema.BatchAdminCode;
  /** The batch acted on or reported (the one asked, or for 0 the open batch; 0 when there is none). */
  readonly batchID: number;
  /** Whether the answer carries the batch's status and totals. */
  readonly report: boolean;
  readonly open?: { readonly batchID: number; readonly at: string };
  readonly close?: { readonly batchID: number; readonly at: string };
  /** For the log. */
  readonly reason: string;
}

export function decideBatchAdmin(
  operation: schema.BatchOperation,
  asked: number,
  merID: string,
  view: Pick<BatchLedgerView, "batch" | "openBatch" | "lastBatchID">,
  at: Date,
): BatchAdminDecision {
  const when = at.toISOString();
  const current = view.openBatch(merID);
  const batch = asked === 0 ? current : view.batch(merID, asked);
  const refused = (code: schema.BatchAdminCode, reason: string, batchID = asked, report = false) => ({
    code,
    batchID,
    report,
    reason,
  });
  if (operation === "open") {
    if (batch?.closed !== undefined) return refused("batchClosed", `batch ${asked} is closed`);
    if (current)
      return refused("batchAlreadyOpen", `batch ${current.batchID} is open`, asked || current.batchID, true);
    const batchID = asked || view.lastBatchID(merID) + 1;
    return {
      code: "success",
      batchID,
      report: true,
      open: { batchID, at: when },
      reason: `opened batch ${batchID}`,
    };
  }
  if (!batch) return refused("unknownBatch", asked === 0 ? "no open batch" : `no batch ${asked}`);
  if (operation === "query")
    return { code: "success", batchID: batch.batchID, report: true, reason: "status" };
  if (batch.closed !== undefined)
    return {
      code: "success",
      batchID: batch.batchID,
      report: true,
      reason: `batch ${batch.batchID} was closed`,
    };
  return {
    code: "success",
    batchID: batch.batchID,
    report: true,
    close: { batchID: batch.batchID, at: when },
    reason: `closed batch ${batch.batchID}`,
  };
}
