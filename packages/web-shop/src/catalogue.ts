/**
 * What the shop sells: a fixed list of products priced in one currency. Prices are integers of the
 * currency's minor unit, so every total is an exact SET CurrencyAmount (amtExp10 is minus the
 * currency's exponent).
 */
import {
  currencyByCode,
  describeInstallRecur,
  type InstallRecurTerms,
  installRecurDataOf,
  readInstallRecurTerms,
} from "@setlab/protocol";

export interface Product {
  /** Letters, digits and dashes: it travels in form fields and URLs as it is. */
  readonly id: string;
  readonly name: string;
  readonly blurb: string;
  /** In minor units of the catalogue's currency. */
  readonly price: number;
  /**
   * A subscription or an instalment plan: the price is one payment of it, and the order carries
   * these terms (the card shows and signs them; the gateway allows the later payments by them).
   */
  readonly terms?: InstallRecurTerms;
}

export interface Catalogue {
  /** ISO 4217 numeric code (392 for JPY). */
  readonly currency: number;
  readonly products: readonly Product[];
}

/** The reference catalogue: small yen amounts, far below any lab card's credit limit. */
export const stickerCatalogue: Catalogue = {
  currency: 392,
  products: [
    {
      id: "dual-signature",
      name: "Dual signature sticker",
      blurb: "Two digests, one signature.",
      price: 300,
    },
    { id: "payment-gateway", name: "Payment gateway mug", blurb: "Opens envelopes all day.", price: 1200 },
    { id: "non-forward", name: "Non-forward flag pin", blurb: "Stays on your side.", price: 500 },
    {
      id: "sticker-club",
      name: "Sticker of the month",
      blurb: "A new SET sticker every 30 days, paid each time.",
      price: 400,
      terms: { recurringDays: 30, recurringExpiry: "2099-12-31" },
    },
  ],
};

/** A catalogue the shop can sell from: known currency, unique ids, positive integer prices. */
export function checkCatalogue(c: Catalogue): Catalogue {
  if (!currencyByCode(c.currency))
    throw new Error(`catalogue currency ${c.currency} is not an ISO 4217 code`);
  const ids = new Set<string>();
  for (const p of c.products) {
    if (!/^[a-z0-9-]{1,40}$/.test(p.id)) throw new Error(`product id "${p.id}" must be 1-40 of a-z, 0-9, -`);
    if (ids.has(p.id)) throw new Error(`product id "${p.id}" is repeated`);
    ids.add(p.id);
    if (!Number.isSafeInteger(p.price) || p.price <= 0)
      throw new Error(`product "${p.id}" must have a positive integer price`);
    if (p.terms !== undefined) readInstallRecurTerms(p.terms, `product "${p.id}" terms`);
  }
  return c;
}

/** SET's CurrencyAmount for a number of minor units of the catalogue's currency. */
export function amountOf(
  c: Catalogue,
  minor: number,
): { currency: number; amount: number; amtExp10: number } {
  const exponent = currencyByCode(c.currency)?.exponent ?? 0;
  return { currency: c.currency, amount: minor, amtExp10: 0 - exponent };
}

/** A product's terms as the buyer reads them ("every 30 days until 2099-12-31"). */
export function termsText(terms: InstallRecurTerms): string {
  return describeInstallRecur(installRecurDataOf(terms));
}
