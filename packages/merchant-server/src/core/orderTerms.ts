/**
 * Installment or recurring terms a shop offers with an order (`NewOrder.terms`), as JSON: `{
 * installments: N }` or `{ recurringDays: D, recurringExpiry: "YYYY-MM-DD" }`. They are SET's
 * InstallRecurData, agreed with the buyer outside SET like OD and the amount: the card signs them
 * in HODInput (the merchant's HOD check) and PIHead (the gateway enforces them with the AuthToken).
 */
import type { schema } from "@setlab/protocol";

export type OrderTerms =
  | { readonly installments: number }
  | { readonly recurringDays: number; readonly recurringExpiry: string };

/** Installment or recurring terms refused (code `invalidTerms`; the message says which field). */
export class OrderTermsError extends Error {
  override readonly name = "OrderTermsError";
  readonly code = "invalidTerms";
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

/** The terms of an order's JSON, checked; OrderTermsError otherwise. */
export function parseOrderTerms(v: unknown): OrderTerms | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new OrderTermsError("terms must be an object");
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(",");
  if (keys === "installments") {
    if (!isInt(o.installments) || o.installments < 2 || o.installments > 999)
      throw new OrderTermsError("terms.installments must be an integer from 2 to 999");
    return { installments: o.installments };
  }
  if (keys === "recurringDays,recurringExpiry") {
    if (!isInt(o.recurringDays) || o.recurringDays < 1 || o.recurringDays > 366)
      throw new OrderTermsError("terms.recurringDays must be an integer from 1 to 366");
    if (typeof o.recurringExpiry !== "string" || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(o.recurringExpiry))
      throw new OrderTermsError("terms.recurringExpiry must be a date YYYY-MM-DD");
    if (Number.isNaN(new Date(`${o.recurringExpiry}T23:59:59Z`).getTime()))
      throw new OrderTermsError("terms.recurringExpiry is not a date");
    return { recurringDays: o.recurringDays, recurringExpiry: o.recurringExpiry };
  }
  throw new OrderTermsError("terms must be {installments} or {recurringDays, recurringExpiry}");
}

/** SET's InstallRecurData for the terms: a recurring expiry is the end (23:59:59 UTC) of its day. */
export function installRecurDataOf(terms: OrderTerms): schema.InstallRecurData {
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
