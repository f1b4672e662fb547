/**
 * The cardholder's confirmation of a purchase (patent S36): the phone shows the merchant's name
 * (from its certificate) and the amount, and the card signs only after a yes.
 */
import type { schema } from "@setlab/protocol";

export interface ConfirmationRequest {
  readonly cardId: string;
  readonly merchantName: string;
  readonly merID: string;
  readonly purchAmt: schema.CurrencyAmount;
  /** The order description as text (UTF-8, as the merchant described the order). */
  readonly description: string;
}

export type ConfirmationPolicy = (request: ConfirmationRequest) => Promise<boolean>;

/** Lab and test policy `auto`: every purchase is approved without asking. */
export const autoApprove: ConfirmationPolicy = async () => true;

/** Policy `deny`: every purchase is refused, as a cardholder pressing "no" would. */
export const denyAll: ConfirmationPolicy = async () => false;

/** The amount as a person reads it: decimal value and ISO 4217 numeric currency. */
export function formatAmount(amt: schema.CurrencyAmount): string {
  const value =
    amt.amtExp10 >= 0 ? String(amt.amount * 10 ** amt.amtExp10) : decimal(amt.amount, -amt.amtExp10);
  return `${value} (ISO 4217 currency ${amt.currency})`;
}

function decimal(amount: number, places: number): string {
  const digits = String(Math.abs(amount)).padStart(places + 1, "0");
  return `${amount < 0 ? "-" : ""}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}
