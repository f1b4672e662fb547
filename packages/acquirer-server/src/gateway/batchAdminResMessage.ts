/**
 * Answer phase of a BatchAdminReq: BatchAdminRes with the decision's code and, for a batch it
 * reports, its BatchStatus and its totals per brand and currency (sales and credits), as the ledger holds
 * them after the decision's change, signed by the brand's gateway key and sealed to the merchant
 * key-exchange certificate the request carried.
 */
import {
  type CryptoProvider,
  currencyByCode,
  type schema,
  sealBatchAdminRes,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { BatchRow, BatchTotalRow } from "../store/batchLedger";
import type { BatchAdminDecision } from "./batchAdminDecision";
import type { GatewayBrandKeys } from "./gatewayKeys";

/** The batch as reported: its status and its totals per brand and currency (minor units). */
export interface BatchReport {
  readonly batch: BatchRow;
  readonly totals: readonly BatchTotalRow[];
}

/** An amount in minor units of `currency`, as SET writes it. */
const minorUnits = (currency: number, amount: number): schema.CurrencyAmount => ({
  currency,
  amount,
  amtExp10: -(currencyByCode(currency)?.exponent ?? 0),
});

export const batchTotal = (t: BatchTotalRow): schema.BatchTotal => ({
  brandID: t.brand,
  salesCount: t.salesCount,
  salesAmount: minorUnits(t.currency, t.salesAmount),
  creditCount: t.creditCount,
  creditAmount: minorUnits(t.currency, t.creditAmount),
});

/**
 * The batch's status: its item count and, when its items are all in one currency, its sales and
 * credits summed over its brands (BatchStatus has room for one amount of each).
 */
export function batchStatus(report: BatchReport): schema.BatchStatus {
  const { batch, totals } = report;
  const currencies = new Set(totals.map((t) => t.currency));
  const sum = (side: "salesAmount" | "creditAmount") => totals.reduce((n, t) => n + t[side], 0);
  return {
    batchID: batch.batchID,
    openDateTime: wholeSeconds(new Date(batch.opened)),
    ...(batch.closed !== undefined ? { closedDateTime: wholeSeconds(new Date(batch.closed)) } : {}),
    transactionCount: totals.reduce((n, t) => n + t.salesCount + t.creditCount, 0),
    ...(currencies.size === 1
      ? {
          salesAmount: minorUnits(totals[0].currency, sum("salesAmount")),
          creditAmount: minorUnits(totals[0].currency, sum("creditAmount")),
        }
      : {}),
  };
}

export async function batchAdminResMessage(
  p: CryptoProvider,
  keys: GatewayBrandKeys,
  merchantKexCertificate: Uint8Array,
  request: schema.BatchAdminReqData,
  decision: BatchAdminDecision,
  report: BatchReport | undefined,
): Promise<Uint8Array> {
  const totals = report?.totals.map(batchTotal) ?? [];
  const data: schema.BatchAdminResData = {
    batchAdminRRTags: request.batchAdminRRTags,
    batchID: decision.batchID,
    batchAdminCode: decision.code,
    ...(report ? { batchStatus: batchStatus(report) } : {}),
    ...(totals.length > 0 ? { batchTotals: totals } : {}),
  };
  const sealed = await sealBatchAdminRes(p, keys.signer, merchantKexCertificate, data);
  return wrapMessage(
    { type: "batchAdministrationResponse", value: sealed },
    { rrpid: request.batchAdminRRTags.rrpid },
    { date: p.now() },
  );
}
