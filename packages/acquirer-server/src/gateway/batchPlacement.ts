/**
 * Place phase of a capture: each capture the ledger allowed goes into a settlement batch of its
 * merchant. An item whose SaleDetail names a batch goes there, refused with SET's CapCode when that
 * batch is unknown (batchUnknown) or closed (batchClosed); any other goes into the merchant's open
 * batch, opened by the same write when there is none (numbered after the merchant's last). Each
 * takes the next BatchSequenceNum of its batch. Pure: the store's view comes in.
 */
import type { schema } from "@setlab/protocol";
import type { BatchItemRow, BatchPlacement, BatchRow } from "../store/batchLedger";
import type { CaptureRow } from "../store/captureLedger";
import { type CaptureDecision, none } from "./captureDecision";

export interface BatchLedgerView {
  readonly batch: (merchantID: string, batchID: number) => BatchRow | undefined;
  readonly openBatch: (merchantID: string) => BatchRow | undefined;
  readonly lastBatchID: (merchantID: string) => number;
  readonly itemCount: (merchantID: string, batchID: number) => number;
}

export interface PlacedCaptures {
  readonly decisions: CaptureDecision[];
  readonly placement?: BatchPlacement;
}

export function placeCaptures(
  decisions: readonly CaptureDecision[],
  merID: string,
  brand: string,
  view: BatchLedgerView,
  at: Date,
): PlacedCaptures {
  const created = at.toISOString();
  let open: { batchID: number; at: string } | undefined;
  const placedIn = new Map<number, number>();
  const items: BatchItemRow[] = [];
  const target = (item: schema.CapItem): number | schema.CapCode => {
    const asked = item.capPayload.saleDetail?.batchID;
    if (asked !== undefined) {
      const batch = view.batch(merID, asked);
      if (!batch) return "batchUnknown";
      return batch.closed !== undefined ? "batchClosed" : asked;
    }
    const current = view.openBatch(merID);
    if (current) return current.batchID;
    open ??= { batchID: view.lastBatchID(merID) + 1, at: created };
    return open.batchID;
  };
  const placed = decisions.map((d): CaptureDecision => {
    if (!d.capture) return d;
    const batchID = target(d.item);
    if (typeof batchID === "string")
      return none(d.item, batchID, batchID === "batchClosed" ? "the batch named is closed" : "no such batch");
    const before = placedIn.get(batchID) ?? (open?.batchID === batchID ? 0 : view.itemCount(merID, batchID));
    const seq = before + 1;
    placedIn.set(batchID, seq);
    items.push({
      merchantID: merID,
      batchID,
      seq,
      authRRPID: d.capture.authRRPID,
      brand,
      amount: d.capture.amount,
      currency: d.capture.currency,
      created,
    });
    return { ...d, batch: { batchID, batchSequenceNum: seq } };
  });
  if (items.length === 0) return { decisions: placed };
  return { decisions: placed, placement: { merchantID: merID, ...(open ? { open } : {}), items } };
}

/** The store's batches as the place phase reads them. */
export const batchLedgerView = (store: {
  batch: BatchLedgerView["batch"];
  openBatch: BatchLedgerView["openBatch"];
  lastBatchID: BatchLedgerView["lastBatchID"];
  batchItemCount: BatchLedgerView["itemCount"];
}): BatchLedgerView => ({
  batch: (m, b) => store.batch(m, b),
  openBatch: (m) => store.openBatch(m),
  lastBatchID: (m) => store.lastBatchID(m),
  itemCount: (m, b) => store.batchItemCount(m, b),
});

/** Where a sale's capture goes (a sale names no batch): its BatchID and BatchSequenceNum. */
export interface SaleBatch {
  readonly batchID: number;
  readonly batchSequenceNum: number;
  /** The batch the sale's write opens first (the merchant had none open). */
  readonly open?: { readonly batchID: number; readonly at: string };
}

/** A sale goes into the merchant's open batch, or the next one, opened by the same write. */
export function saleBatch(merID: string, view: BatchLedgerView, at: Date): SaleBatch {
  const current = view.openBatch(merID);
  if (current)
    return { batchID: current.batchID, batchSequenceNum: view.itemCount(merID, current.batchID) + 1 };
  const batchID = view.lastBatchID(merID) + 1;
  return { batchID, batchSequenceNum: 1, open: { batchID, at: at.toISOString() } };
}

/** The sale's batch item, written with its authorization and capture. */
export const salePlacement = (
  merID: string,
  brand: string,
  b: SaleBatch,
  capture: CaptureRow,
): BatchPlacement => ({
  merchantID: merID,
  ...(b.open ? { open: b.open } : {}),
  items: [
    {
      merchantID: merID,
      batchID: b.batchID,
      seq: b.batchSequenceNum,
      authRRPID: capture.authRRPID,
      brand,
      amount: capture.amount,
      currency: capture.currency,
      created: capture.created,
    },
  ],
});
