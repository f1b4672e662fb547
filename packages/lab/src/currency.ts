/** Turning "12.34 USD" on the lab's command line into SET's CurrencyAmount, and back for display. */
import { currencyByAlpha, currencyByCode, formatCurrencyAmount } from "@setlab/protocol/relay";
import { LabFailure } from "./labState";

export interface PurchAmt {
  readonly currency: number;
  readonly amount: number;
  readonly amtExp10: number;
}

/** `amount` in major units ("12.34"), `currency` as an ISO 4217 code ("USD") or number ("840"). */
export function purchAmtOf(amount: string, currency: string): PurchAmt {
  const known = /^\d{1,3}$/.test(currency) ? currencyByCode(Number(currency)) : currencyByAlpha(currency);
  if (!known)
    throw new LabFailure(
      `unknown currency "${currency}" (use an ISO 4217 code such as JPY, USD, EUR, or its number)`,
    );
  const exponent = known.exponent;
  const m = /^(\d{1,15})(?:\.(\d{1,6}))?$/.exec(amount);
  if (!m) throw new LabFailure(`amount "${amount}" is not a positive decimal number`);
  const fraction = m[2] ?? "";
  if (fraction.length > exponent)
    throw new LabFailure(`amount "${amount}" has more decimals than ${known.alpha} allows (${exponent})`);
  const minor = Number(m[1] + fraction.padEnd(exponent, "0"));
  if (!Number.isSafeInteger(minor) || minor <= 0) throw new LabFailure(`amount "${amount}" is out of range`);
  return { currency: known.code, amount: minor, amtExp10: 0 - exponent };
}

export function formatAmount(a: PurchAmt): string {
  return formatCurrencyAmount(a);
}
