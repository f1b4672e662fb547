/**
 * The settlement report of a closed batch: what the acquirer pays the merchant, per brand and
 * currency, and the captures it is made of. Built from the ledger only (the totals are the
 * database's sums over the batch's items), as JSON for programs and as a table for people.
 */
import { currencyByCode, formatCurrencyAmount } from "@setlab/protocol";
import type { BatchItemRow, BatchRow, BatchTotalRow } from "../store/batchLedger";

export interface SettlementTotal {
  readonly brand: string;
  /** ISO 4217 numeric code, and the amount in its minor units and as people read it. */
  readonly currency: number;
  readonly itemCount: number;
  readonly minorUnits: number;
  readonly amount: string;
}

export interface SettlementItem {
  readonly seq: number;
  /** Hex: the authorization captured. */
  readonly authRRPID: string;
  readonly brand: string;
  readonly currency: number;
  readonly minorUnits: number;
  readonly amount: string;
  readonly capturedAt: string;
}

export interface SettlementReport {
  readonly merchantID: string;
  readonly batchID: number;
  readonly opened: string;
  readonly closed: string;
  readonly itemCount: number;
  readonly totals: readonly SettlementTotal[];
  readonly items: readonly SettlementItem[];
}

const shown = (currency: number, minor: number) =>
  formatCurrencyAmount({ currency, amount: minor, amtExp10: -(currencyByCode(currency)?.exponent ?? 0) });

export function settlementReport(
  batch: BatchRow & { readonly closed: string },
  totals: readonly BatchTotalRow[],
  items: readonly BatchItemRow[],
): SettlementReport {
  return {
    merchantID: batch.merchantID,
    batchID: batch.batchID,
    opened: batch.opened,
    closed: batch.closed,
    itemCount: items.length,
    totals: totals.map((t) => ({
      brand: t.brand,
      currency: t.currency,
      itemCount: t.itemCount,
      minorUnits: t.amount,
      amount: shown(t.currency, t.amount),
    })),
    items: items.map((i) => ({
      seq: i.seq,
      authRRPID: i.authRRPID,
      brand: i.brand,
      currency: i.currency,
      minorUnits: i.amount,
      amount: shown(i.currency, i.amount),
      capturedAt: i.created,
    })),
  };
}

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[],
): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (right.includes(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}

/** The report as a person reads it: the batch, its totals per brand and currency, its items. */
export function settlementTable(r: SettlementReport): string {
  return [
    `Settlement of batch ${r.batchID} of merchant ${r.merchantID}`,
    `opened ${r.opened}, closed ${r.closed}, ${r.itemCount} capture${r.itemCount === 1 ? "" : "s"}`,
    "",
    ...table(
      ["brand", "captures", "total"],
      r.totals.map((t) => [t.brand, String(t.itemCount), t.amount]),
      [1, 2],
    ),
    "",
    ...table(
      ["seq", "brand", "amount", "authorization (AuthRRPID)", "captured at"],
      r.items.map((i) => [String(i.seq), i.brand, i.amount, i.authRRPID, i.capturedAt]),
      [0, 2],
    ),
    "",
  ].join("\n");
}
