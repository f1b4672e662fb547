/**
 * Installment or recurring terms a shop offers with an order (`NewOrder.terms`), as JSON: `{
 * installments: N }` or `{ recurringDays: D, recurringExpiry: "YYYY-MM-DD" }`. They are SET's
 * InstallRecurData, agreed with the buyer outside SET like OD and the amount: the card signs them
 * in HODInput (the merchant's HOD check) and PIHead (the gateway enforces them with the AuthToken).
 * The shape and its bounds are protocol's (`readInstallRecurTerms`), as the initiation object
 * carries the same terms to the mediator.
 */
import { type InstallRecurTerms, InstallRecurTermsError, readInstallRecurTerms } from "@setlab/protocol";

export { installRecurDataOf } from "@setlab/protocol";

export type OrderTerms = InstallRecurTerms;

/** Installment or recurring terms refused (code `invalidTerms`; the message says which field). */
export class OrderTermsError extends Error {
  override readonly name = "OrderTermsError";
  readonly code = "invalidTerms";
}

/** The terms of an order's JSON, checked; OrderTermsError otherwise. */
export function parseOrderTerms(v: unknown): OrderTerms | undefined {
  if (v === undefined) return undefined;
  try {
    return readInstallRecurTerms(v, "terms");
  } catch (e) {
    if (e instanceof InstallRecurTermsError) throw new OrderTermsError(e.message);
    throw e;
  }
}
