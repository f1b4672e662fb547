/**
 * What a BatchAdminRes says a batch holds must add up before the merchant reports it: its
 * BatchTotals (one per brand and currency, sales and credits, in the currency's minor units) and
 * the BatchStatus beside them (the item count, and for a batch in one currency its sales and
 * credit sums). A gateway that contradicts itself gives the merchant no settlement figure to trust.
 */
import { SetError } from "../errors";
import { currencyByCode } from "../money/iso4217";
import type { CurrencyAmount } from "../schema/common";
import type { BatchStatus, BatchTotal } from "../schema/payment";

const where = "BatchAdminResData.batchTotals";

function malformed(reason: string): never {
  throw new SetError("decodingFailure", reason, where);
}

/** One total: a known currency, both amounts in it and in its minor units, no amount without items. */
function checkTotal(t: BatchTotal): void {
  const currency = currencyByCode(t.salesAmount.currency);
  if (!currency) malformed(`a total in currency ${t.salesAmount.currency}, which is none`);
  for (const [side, amount, count] of [
    ["sales", t.salesAmount, t.salesCount],
    ["credit", t.creditAmount, t.creditCount],
  ] as const) {
    if (amount.currency !== currency.code || amount.amtExp10 !== -currency.exponent)
      malformed(`the ${side} amount of ${t.brandID} is not in minor units of ${currency.alpha}`);
    if (count === 0 && amount.amount !== 0) malformed(`a ${side} amount of ${t.brandID} with no items`);
  }
}

/** The status's one-currency sum for a side, as the totals make it. */
function sumOf(totals: readonly BatchTotal[], side: "salesAmount" | "creditAmount"): CurrencyAmount {
  const [first] = totals;
  return { ...first[side], amount: totals.reduce((n, t) => n + t[side].amount, 0) };
}

const same = (a: CurrencyAmount, b: CurrencyAmount) =>
  a.currency === b.currency && a.amount === b.amount && a.amtExp10 === b.amtExp10;

/**
 * Each total well formed (`decodingFailure`), one per brand and currency (`decodingFailure`); with
 * a status, its item count the totals' (`wrapperMsgMismatch`), and its sales and credit amounts,
 * when present, the totals' sums in their one currency (`wrapperMsgMismatch`).
 */
export function checkBatchTotals(totals: readonly BatchTotal[], status: BatchStatus | undefined): void {
  const seen = new Set<string>();
  for (const t of totals) {
    checkTotal(t);
    const key = `${t.brandID}\u0000${t.salesAmount.currency}`;
    if (seen.has(key)) malformed(`two totals for ${t.brandID} in currency ${t.salesAmount.currency}`);
    seen.add(key);
  }
  if (!status) return;
  const counted = totals.reduce((n, t) => n + t.salesCount + t.creditCount, 0);
  if (status.transactionCount !== undefined && counted !== status.transactionCount)
    throw new SetError(
      "wrapperMsgMismatch",
      `the totals count ${counted} items, the BatchStatus ${status.transactionCount}`,
      where,
    );
  for (const side of ["salesAmount", "creditAmount"] as const) {
    const stated = status[side];
    if (stated === undefined) continue;
    if (
      totals.length === 0 ||
      new Set(totals.map((t) => t.salesAmount.currency)).size > 1 ||
      !same(stated, sumOf(totals, side))
    )
      throw new SetError(
        "wrapperMsgMismatch",
        `the BatchStatus's ${side} is not what the totals add up to`,
        "BatchAdminResData.batchStatus",
      );
  }
}
