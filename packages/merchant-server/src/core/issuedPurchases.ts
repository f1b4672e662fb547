/**
 * The XIDs an order's PInitRes issued. A PInitReq is unsigned and names the order by a guessable
 * LID-M, so anybody can ask for one; if each PInitRes replaced the last, a stranger sending
 * PInitReqs between the buyer's PInitReq and PReq would turn the buyer's PReq away (unknownXID).
 * Instead every PInitRes's XID, with the challenges and TransIDs it fixed, stays valid on its own
 * until a PReq takes it or it expires; what a stranger's PInitReq costs the merchant is one
 * signature and one row, dropped once expired.
 */
import { SetError } from "@setlab/protocol";
import type { MerchantContext } from "./context";
import type { IssuedPurchase } from "./order";

export const defaultPInitResLifetimeMs = 30 * 60_000;

export const pInitResLifetimeMs = (ctx: MerchantContext): number =>
  ctx.config.pInitResLifetimeMs ?? defaultPInitResLifetimeMs;

/** The PInitRes's XID a PReq names, outstanding or taken; unknownXID when the merchant never issued it. */
export async function issuedPurchaseOf(ctx: MerchantContext, xidHex: string): Promise<IssuedPurchase> {
  const issued = await ctx.repo.issuedPurchase(xidHex);
  if (!issued) throw new SetError("unknownXID", "no order has this XID", "OIData.transIDs.xid");
  return issued;
}

/** A new PReq may take this XID: it is outstanding and has not expired. */
export function checkOutstanding(ctx: MerchantContext, issued: IssuedPurchase, now: Date): void {
  if (issued.takenBy !== undefined)
    throw new SetError("unspecifiedFailure", "another purchase request was taken for this XID", "PReq");
  if (Date.parse(issued.issuedAt) + pInitResLifetimeMs(ctx) < now.getTime())
    throw new SetError(
      "unknownXID",
      "the PInitRes that issued this XID has expired: start the purchase again",
      "OIData.transIDs.xid",
    );
}

/** Outstanding XIDs issued before this time have expired (the store drops them). */
export const expiredBefore = (ctx: MerchantContext, now: Date): string =>
  new Date(now.getTime() - pInitResLifetimeMs(ctx)).toISOString();
