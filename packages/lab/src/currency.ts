/** ISO 4217 currencies the lab CLI accepts by code, and turning "12.34 USD" into SET's CurrencyAmount. */
import { LabFailure } from "./labState";

const currencies: Record<string, { code: number; exponent: number }> = {
  JPY: { code: 392, exponent: 0 },
  USD: { code: 840, exponent: 2 },
  EUR: { code: 978, exponent: 2 },
  GBP: { code: 826, exponent: 2 },
  CAD: { code: 124, exponent: 2 },
  AUD: { code: 36, exponent: 2 },
};

export interface PurchAmt {
  readonly currency: number;
  readonly amount: number;
  readonly amtExp10: number;
}

/** `amount` in major units ("12.34"), `currency` as a code ("USD") or ISO number ("840"). */
export function purchAmtOf(amount: string, currency: string): PurchAmt {
  const known = currencies[currency.toUpperCase()];
  const code = known?.code ?? (/^\d{1,3}$/.test(currency) ? Number(currency) : undefined);
  if (code === undefined || code < 1)
    throw new LabFailure(
      `unknown currency "${currency}" (use ${Object.keys(currencies).join(", ")} or an ISO 4217 number)`,
    );
  const exponent = known?.exponent ?? Object.values(currencies).find((c) => c.code === code)?.exponent ?? 2;
  const m = /^(\d{1,15})(?:\.(\d{1,6}))?$/.exec(amount);
  if (!m) throw new LabFailure(`amount "${amount}" is not a positive decimal number`);
  const fraction = m[2] ?? "";
  if (fraction.length > exponent)
    throw new LabFailure(`amount "${amount}" has more decimals than ${currency} allows (${exponent})`);
  const minor = Number(m[1] + fraction.padEnd(exponent, "0"));
  if (!Number.isSafeInteger(minor) || minor <= 0) throw new LabFailure(`amount "${amount}" is out of range`);
  return { currency: code, amount: minor, amtExp10: 0 - exponent };
}

export function formatAmount(a: PurchAmt): string {
  const name = Object.entries(currencies).find(([, c]) => c.code === a.currency)?.[0] ?? String(a.currency);
  const digits = -a.amtExp10;
  if (digits <= 0) return `${name} ${a.amount * 10 ** a.amtExp10}`;
  const s = String(a.amount).padStart(digits + 1, "0");
  return `${name} ${s.slice(0, -digits)}.${s.slice(-digits)}`;
}
