/**
 * Place phase: each item the ledger allowed (a capture, a capture reversal, a credit, a credit
 * reversal) goes into a settlement batch of its merchant. An item naming a batch (a capture's
 * SaleDetail.BatchID, a request item's NewBatchID) goes there, refused with SET's code when that
 * batch is unknown (batchUnknown) or closed (batchClosed); any other goes into the merchant's open
 * batch, opened by the same write when there is none (numbered after the merchant's last). Each
 * takes the next BatchSequenceNum of its batch. Pure: the store's view comes in.
 */
import type { BatchItemKind, BatchItemRow, BatchPlacement, BatchRow } from "../store/batchLedger";
import type { CaptureRow } from "../store/captureLedger";
import type { CapRevOrCredDecision } from "./capRevOrCredDecision";
import { type CaptureDecision, none } from "./captureDecision";

export interface BatchLedgerView {
  readonly batch: (merchantID: string, batchID: number) => BatchRow | undefined;
  readonly openBatch: (merchantID: string) => BatchRow | undefined;
  readonly lastBatchID: (merchantID: string) => number;
  readonly itemCount: (merchantID: string, batchID: number) => number;
}

/** An item's place: its BatchID and BatchSequenceNum. */
export interface BatchPlace {
  readonly batchID: number;
  readonly batchSequenceNum: number;
}

/** What an item to place is: the ledger row it records, in minor units. */
export interface ItemToPlace {
  readonly kind: BatchItemKind;
  readonly authRRPID: string;
  readonly reqDate?: string;
  readonly amount: number;
  readonly currency: number;
}

/** Why an item found no place, in the words both CapCode and CapRevOrCredCode use. */
export type Unplaced = "batchUnknown" | "batchClosed";

/**
 * The places of one request's items, in order: `place` each, then `placement` is what the
 * request's write adds (the batch it opens, the items).
 */
function batchPlacer(merID: string, brand: string, view: BatchLedgerView, at: Date) {
  const created = at.toISOString();
  let open: { batchID: number; at: string } | undefined;
  const placedIn = new Map<number, number>();
  const items: BatchItemRow[] = [];
  const target = (asked: number | undefined): number | Unplaced => {
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
  return {
    place(item: ItemToPlace, asked: number | undefined): BatchPlace | Unplaced {
      const batchID = target(asked);
      if (typeof batchID === "string") return batchID;
      const before =
        placedIn.get(batchID) ?? (open?.batchID === batchID ? 0 : view.itemCount(merID, batchID));
      const seq = before + 1;
      placedIn.set(batchID, seq);
      items.push({ merchantID: merID, batchID, seq, brand, created, ...item });
      return { batchID, batchSequenceNum: seq };
    },
    placement(): BatchPlacement | undefined {
      if (items.length === 0) return undefined;
      return { merchantID: merID, ...(open ? { open } : {}), items };
    },
  };
}

const why = (code: Unplaced) => (code === "batchClosed" ? "the batch named is closed" : "no such batch");

/** A request's decisions after the place phase, and what the request's write adds (none: nothing placed). */
export interface Placed<D> {
  readonly decisions: D[];
  readonly placement?: BatchPlacement;
}

/** How one kind of request's decisions meet the place phase. */
interface PlaceRules<D> {
  /** The item a booked decision places, and the batch it names; undefined: it books nothing. */
  readonly toPlace: (d: D) => { item: ItemToPlace; asked: number | undefined } | undefined;
  /** The decision refused because its batch is unknown or closed: nothing booked. */
  readonly refuse: (d: D, code: Unplaced, reason: string) => D;
}

/** The place phase of one kind of request: each booked decision placed in order, or refused. */
const placeWith =
  <D extends { readonly batch?: BatchPlace }>(rules: PlaceRules<D>) =>
  (decisions: readonly D[], merID: string, brand: string, view: BatchLedgerView, at: Date): Placed<D> => {
    const placer = batchPlacer(merID, brand, view, at);
    const placed = decisions.map((d): D => {
      const toPlace = rules.toPlace(d);
      if (!toPlace) return d;
      const place = placer.place(toPlace.item, toPlace.asked);
      if (typeof place === "string") return rules.refuse(d, place, why(place));
      return { ...d, batch: place };
    });
    const placement = placer.placement();
    return { decisions: placed, ...(placement ? { placement } : {}) };
  };

/** A capture goes into the batch its SaleDetail.BatchID names, or the open batch. */
export const placeCaptures = placeWith<CaptureDecision>({
  toPlace: (d) => {
    if (!d.capture) return undefined;
    const { authRRPID, amount, currency } = d.capture;
    return {
      item: { kind: "capture", authRRPID, amount, currency },
      asked: d.item.capPayload.saleDetail?.batchID,
    };
  },
  refuse: (d, code, reason) => none(d.item, code, reason),
});

/**
 * A capture reversal, credit or credit reversal booked goes into the batch its NewBatchID names,
 * or the open batch; refused (nothing moved, no row) when that batch is unknown or closed. A
 * capture reversal and a credit reversal only act on what is in the open batch (protocol's
 * `judgeAgainstCapture`), so they land beside what they reverse.
 */
export const placeCapRevOrCreds = placeWith<CapRevOrCredDecision>({
  toPlace: (d) => {
    if (!d.row) return undefined;
    const { authRRPID, kind, reqDate, amount, currency } = d.row;
    return { item: { kind, authRRPID, reqDate, amount, currency }, asked: d.item.newBatchID };
  },
  refuse: (d, code, reason) => {
    const { row: _, ...refused } = d;
    return { ...refused, code, actual: { ...d.actual, amount: 0 }, reason };
  },
});

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
export interface SaleBatch extends BatchPlace {
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
      kind: "capture",
      authRRPID: capture.authRRPID,
      brand,
      amount: capture.amount,
      currency: capture.currency,
      created: capture.created,
    },
  ],
});
