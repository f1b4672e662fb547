/**
 * Installment or recurring terms as a shop states them outside SET (an order's `terms`, the
 * initiation object's `terms`): `{installments: N}` or `{recurringDays: D, recurringExpiry:
 * "YYYY-MM-DD"}`. They become SET's InstallRecurData, which the card signs in HODInput and PIHead
 * (digest 3.4) and the gateway enforces with its AuthToken. Read, converted and put into words
 * here only, so shop, mediator and card agree on them.
 */
import type { InstallRecurData } from "./schema/purchase";

export type InstallRecurTerms =
  | { readonly installments: number }
  | { readonly recurringDays: number; readonly recurringExpiry: string };

/** Terms that are not one of the two shapes, or out of SET's bounds; the message names the field. */
export class InstallRecurTermsError extends Error {
  override readonly name = "InstallRecurTermsError";
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

/** The terms of a JSON value, checked (`field` names them in messages); InstallRecurTermsError otherwise. */
export function readInstallRecurTerms(v: unknown, field = "terms"): InstallRecurTerms {
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new InstallRecurTermsError(`${field} must be an object`);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(",");
  if (keys === "installments") {
    if (!isInt(o.installments) || o.installments < 2 || o.installments > 999)
      throw new InstallRecurTermsError(`${field}.installments must be an integer from 2 to 999`);
    return { installments: o.installments };
  }
  if (keys === "recurringDays,recurringExpiry") {
    if (!isInt(o.recurringDays) || o.recurringDays < 1 || o.recurringDays > 366)
      throw new InstallRecurTermsError(`${field}.recurringDays must be an integer from 1 to 366`);
    if (typeof o.recurringExpiry !== "string" || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(o.recurringExpiry))
      throw new InstallRecurTermsError(`${field}.recurringExpiry must be a date YYYY-MM-DD`);
    const end = new Date(`${o.recurringExpiry}T23:59:59Z`);
    if (Number.isNaN(end.getTime()) || end.toISOString().slice(0, 10) !== o.recurringExpiry)
      throw new InstallRecurTermsError(`${field}.recurringExpiry is not a date`);
    return { recurringDays: o.recurringDays, recurringExpiry: o.recurringExpiry };
  }
  throw new InstallRecurTermsError(`${field} must be {installments} or {recurringDays, recurringExpiry}`);
}

/** SET's InstallRecurData for the terms: a recurring expiry is the end (23:59:59 UTC) of its day. */
export function installRecurDataOf(terms: InstallRecurTerms): InstallRecurData {
  if ("installments" in terms)
    return { installRecurInd: { type: "installTotalTrans", value: terms.installments } };
  return {
    installRecurInd: {
      type: "recurring",
      value: {
        recurringFrequency: terms.recurringDays,
        recurringExpiry: new Date(`${terms.recurringExpiry}T23:59:59Z`),
      },
    },
  };
}

/**
 * The terms as the buyer reads them before agreeing, from the InstallRecurData itself (what the
 * card signs): "in 3 installments" or "every 30 days until 2099-12-31".
 */
export function describeInstallRecur(data: InstallRecurData): string {
  const ind = data.installRecurInd;
  if (ind.type === "installTotalTrans") return `in ${ind.value} installments`;
  const days = ind.value.recurringFrequency;
  return `every ${days === 1 ? "day" : `${days} days`} until ${ind.value.recurringExpiry.toISOString().slice(0, 10)}`;
}
