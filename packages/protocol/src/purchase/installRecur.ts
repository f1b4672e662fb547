/**
 * One XID is authorized once, unless the cardholder signed installment or recurring terms
 * (PIHead.InstallRecurData): then as many times as they allow, and only after that is another
 * authorization a duplicate (AuthCode duplicateAuthorization, as the module's AuthCode says).
 */
import type { InstallRecurData } from "../schema/purchase";

/** How many approved authorizations one XID may have under `terms` at `at`. */
export function authorizationsAllowed(terms: InstallRecurData | undefined, at: Date): number {
  if (!terms) return 1;
  const ind = terms.installRecurInd;
  if (ind.type === "installTotalTrans") return ind.value;
  // Recurring: every due payment until recurringExpiry; after it, nothing beyond the first.
  return at.getTime() <= ind.value.recurringExpiry.getTime() ? Number.POSITIVE_INFINITY : 1;
}

/** True when another authorization of the XID would be one too many. */
export function isDuplicateAuthorization(
  terms: InstallRecurData | undefined,
  approvedBefore: number,
  at: Date,
): boolean {
  return approvedBefore >= authorizationsAllowed(terms, at);
}
