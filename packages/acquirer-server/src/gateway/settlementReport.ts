/**
 * The settlement report of a closed batch: what the acquirer pays the merchant, per brand and
 * currency (its sales, its credits, the net), and the items it is made of, each with its kind.
 * Built from the ledger only (the totals are the database's sums over the batch's items), as JSON
 * for programs and as a table for people.
 */
import { currencyByCode, formatCurrencyAmount } from "@setlab/protocol";
import {
  type BatchItemKind,
  type BatchItemRow,
  type BatchRow,
  type BatchTotalRow,
  negativeKinds,
  salesKinds,
} from "../store/batchLedger";

/** An amount in minor units of the currency it stands with, and as people read it. */
export interface SettlementAmount {
  readonly minorUnits: number;
  readonly amount: string;
}

export interface SettlementTotal {
  readonly brand: string;
  /** ISO 4217 numeric code. */
  readonly currency: number;
  /** Captures and capture reversals; the sales: captures less capture reversals. */
  readonly salesCount: number;
  readonly sales: SettlementAmount;
  /** Credits and credit reversals; the credits: credits less credit reversals. */
  readonly creditCount: number;
  readonly credits: SettlementAmount;
  /** What the merchant is paid: sales less credits (below zero: what it owes). */
  readonly net: SettlementAmount;
}

export interface SettlementItem {
  readonly seq: number;
  readonly kind: BatchItemKind;
  /** Hex: the authorization whose capture it is or acts on. */
  readonly authRRPID: string;
  readonly brand: string;
  readonly currency: number;
  /** The item's amount as booked (above zero). */
  readonly minorUnits: number;
  readonly amount: string;
  /** What it adds to the merchant's net: a capture and a credit reversal add, the others take away. */
  readonly net: SettlementAmount;
  readonly bookedAt: string;
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

const amountOf = (currency: number, minorUnits: number): SettlementAmount => ({
  minorUnits,
  amount: shown(currency, minorUnits),
});

/** A sales item adds to the net unless it is negative; a credit item takes away unless it is. */
const netOf = (kind: BatchItemKind, amount: number) =>
  salesKinds.includes(kind) !== negativeKinds.includes(kind) ? amount : -amount;

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
      salesCount: t.salesCount,
      sales: amountOf(t.currency, t.salesAmount),
      creditCount: t.creditCount,
      credits: amountOf(t.currency, t.creditAmount),
      net: amountOf(t.currency, t.salesAmount - t.creditAmount),
    })),
    items: items.map((i) => ({
      seq: i.seq,
      kind: i.kind,
      authRRPID: i.authRRPID,
      brand: i.brand,
      currency: i.currency,
      minorUnits: i.amount,
      amount: shown(i.currency, i.amount),
      net: amountOf(i.currency, netOf(i.kind, i.amount)),
      bookedAt: i.created,
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

/** The report as a person reads it: the batch, its sales, credits and net per brand and currency, its items. */
export function settlementTable(r: SettlementReport): string {
  return [
    `Settlement of batch ${r.batchID} of merchant ${r.merchantID}`,
    `opened ${r.opened}, closed ${r.closed}, ${r.itemCount} item${r.itemCount === 1 ? "" : "s"}`,
    "",
    ...table(
      ["brand", "sales", "sales total", "credits", "credits total", "net"],
      r.totals.map((t) => [
        t.brand,
        String(t.salesCount),
        t.sales.amount,
        String(t.creditCount),
        t.credits.amount,
        t.net.amount,
      ]),
      [1, 2, 3, 4, 5],
    ),
    "",
    ...table(
      ["seq", "kind", "brand", "to merchant", "authorization (AuthRRPID)", "booked at"],
      r.items.map((i) => [String(i.seq), i.kind, i.brand, i.net.amount, i.authRRPID, i.bookedAt]),
      [0, 3],
    ),
    "",
  ].join("\n");
}
