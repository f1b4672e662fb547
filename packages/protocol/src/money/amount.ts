/**
 * SET's CurrencyAmount is `amount x 10^amtExp10` units of `currency`: 12.34 USD may be sent as
 * {1234, -2} or {12340, -3}, 20 000 USD as {20, 3}. Comparing, holding or showing an amount means
 * reading that exact value; nothing here goes through floating point.
 */
import { type Currency, currencyByCode } from "./iso4217";

export interface CurrencyAmountValue {
  readonly currency: number;
  readonly amount: number;
  readonly amtExp10: number;
}

export type MinorUnitsResult =
  | { readonly ok: true; readonly minor: bigint; readonly currency: Currency }
  | { readonly ok: false; readonly reason: "unknownCurrency" | "notPositive" | "fractionOfMinorUnit" };

/**
 * The amount in minor units of its currency (cents for USD, yen for JPY), exactly; refused when the
 * currency is not an ISO 4217 currency in circulation, when the amount is not above zero, or when it
 * names a fraction of the minor unit (0.001 USD).
 */
export function toMinorUnits(amt: CurrencyAmountValue): MinorUnitsResult {
  const currency = currencyByCode(amt.currency);
  if (!currency) return { ok: false, reason: "unknownCurrency" };
  if (!Number.isSafeInteger(amt.amount) || amt.amount <= 0 || Object.is(amt.amount, -0))
    return { ok: false, reason: "notPositive" };
  const shift = amt.amtExp10 + currency.exponent;
  const amount = BigInt(amt.amount);
  if (shift >= 0) return { ok: true, minor: amount * 10n ** BigInt(shift), currency };
  const divisor = 10n ** BigInt(-shift);
  if (amount % divisor !== 0n) return { ok: false, reason: "fractionOfMinorUnit" };
  return { ok: true, minor: amount / divisor, currency };
}

/** Both amounts valid (toMinorUnits) and the same: one currency, one number of minor units. */
export function sameMinorUnits(a: CurrencyAmountValue, b: CurrencyAmountValue): boolean {
  const x = toMinorUnits(a);
  const y = toMinorUnits(b);
  return x.ok && y.ok && x.currency.code === y.currency.code && x.minor === y.minor;
}

/**
 * The amount as a person reads it, exactly: the ISO 4217 alphabetic code and the decimal value with
 * the currency's minor-unit digits ("USD 12.34", "JPY 1280", "USD 1000000000000000000.00"). A code
 * that is no currency is shown as its number ("currency 999 12.5").
 */
export function formatCurrencyAmount(amt: CurrencyAmountValue): string {
  const currency = currencyByCode(amt.currency);
  const digits = Math.max(currency?.exponent ?? 0, -amt.amtExp10);
  const scaled = BigInt(amt.amount) * 10n ** BigInt(Math.max(0, amt.amtExp10 + digits));
  const negative = scaled < 0n;
  const text = (negative ? -scaled : scaled).toString().padStart(digits + 1, "0");
  const value = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return `${currency ? currency.alpha : `currency ${amt.currency}`} ${negative ? "-" : ""}${value}`;
}
