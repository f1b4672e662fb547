/**
 * The soak's money check, per card account: what the issuer simulator holds and has posted since
 * the soak started must equal what the merchant's orders say. Holds: the AuthAmt of every order
 * still authorized and not captured. Postings: the CapAmt of every captured order (a capture turns
 * its authorization's whole hold into a posting of the amount captured), less what stands
 * credited (credits less credit reversals); a reversed capture posts nothing. Pure.
 */
import type { MerchantOrder } from "./reconcile";

export interface AccountFigures {
  readonly held: number;
  readonly posted: number;
}

export interface LedgerRow {
  readonly card: string;
  readonly heldDelta: number;
  readonly heldByOrders: number;
  readonly postedDelta: number;
  readonly postedByOrders: number;
}

const holding = ["authorized", "partiallyAuthorized"];
const captured = ["captured", "partiallyCaptured", "partiallyRefunded", "refunded", "refundReversed"];

/** What an order posted: its capture less what stands credited. */
function postedBy(o: MerchantOrder): number {
  let posted = o.authorization?.capture?.capAmt?.amount ?? 0;
  for (const e of o.authorization?.capRevOrCreds ?? []) {
    if (e.code !== "success" || !e.actualAmt) continue;
    if (e.kind === "credit") posted -= e.actualAmt.amount;
    else if (e.kind === "creditReversal") posted += e.actualAmt.amount;
  }
  return posted;
}

/** Amounts are the soak's (JPY, exponent 0), so they add as integers. */
export function checkLedger(
  before: Readonly<Record<string, AccountFigures>>,
  after: Readonly<Record<string, AccountFigures>>,
  orders: readonly { readonly card: string; readonly order?: MerchantOrder }[],
): { rows: LedgerRow[]; mismatches: string[] } {
  const rows: LedgerRow[] = [];
  const mismatches: string[] = [];
  for (const card of Object.keys(before).sort()) {
    const mine = orders.filter((o) => o.card === card && o.order).map((o) => o.order!);
    const heldByOrders = mine
      .filter((o) => holding.includes(o.state))
      .reduce((sum, o) => sum + (o.authorization?.authAmt?.amount ?? 0), 0);
    const postedByOrders = mine
      .filter((o) => captured.includes(o.state))
      .reduce((sum, o) => sum + postedBy(o), 0);
    const a = after[card];
    if (!a) {
      mismatches.push(`${card}: the gateway's account could not be read after the soak`);
      continue;
    }
    const row = {
      card,
      heldDelta: a.held - before[card].held,
      heldByOrders,
      postedDelta: a.posted - before[card].posted,
      postedByOrders,
    };
    rows.push(row);
    if (row.heldDelta !== heldByOrders)
      mismatches.push(
        `${card}: the issuer holds ${row.heldDelta} more, the merchant's open authorizations ${heldByOrders}`,
      );
    if (row.postedDelta !== postedByOrders)
      mismatches.push(
        `${card}: the issuer posted ${row.postedDelta}, the merchant's captures ${postedByOrders}`,
      );
  }
  return { rows, mismatches };
}
