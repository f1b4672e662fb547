import fc from "fast-check";
import { formatCurrencyAmount, toMinorUnits } from "./amount";
import { currencyByAlpha, currencyByCode } from "./iso4217";

const usd = 840;
const jpy = 392;
const kwd = 414;

describe("toMinorUnits", () => {
  it("reads the same value however the exponent is chosen", () => {
    expect(toMinorUnits({ currency: usd, amount: 1234, amtExp10: -2 })).toMatchObject({
      ok: true,
      minor: 1234n,
    });
    expect(toMinorUnits({ currency: usd, amount: 12340, amtExp10: -3 })).toMatchObject({
      ok: true,
      minor: 1234n,
    });
    expect(toMinorUnits({ currency: usd, amount: 20, amtExp10: 3 })).toMatchObject({
      ok: true,
      minor: 2_000_000n,
    });
    expect(toMinorUnits({ currency: usd, amount: 1, amtExp10: 18 })).toMatchObject({
      ok: true,
      minor: 10n ** 20n,
    });
    expect(toMinorUnits({ currency: jpy, amount: 1280, amtExp10: 0 })).toMatchObject({
      ok: true,
      minor: 1280n,
    });
    expect(toMinorUnits({ currency: kwd, amount: 1, amtExp10: -3 })).toMatchObject({ ok: true, minor: 1n });
  });

  it("refuses a fraction of the minor unit", () => {
    expect(toMinorUnits({ currency: usd, amount: 1, amtExp10: -3 })).toEqual({
      ok: false,
      reason: "fractionOfMinorUnit",
    });
    expect(toMinorUnits({ currency: jpy, amount: 15, amtExp10: -1 })).toEqual({
      ok: false,
      reason: "fractionOfMinorUnit",
    });
  });

  it("refuses zero, negative zero and negative amounts", () => {
    for (const amount of [0, -0, -5])
      expect(toMinorUnits({ currency: usd, amount, amtExp10: 0 })).toEqual({
        ok: false,
        reason: "notPositive",
      });
  });

  it("refuses codes that are no currency in circulation", () => {
    for (const currency of [1, 999, 959 /* gold */, 963 /* testing */, 0, 1000])
      expect(toMinorUnits({ currency, amount: 1, amtExp10: 0 })).toEqual({
        ok: false,
        reason: "unknownCurrency",
      });
  });

  it("is exact for any amount and exponent (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(usd, jpy, kwd),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: -18, max: 18 }),
        (currency, amount, amtExp10) => {
          const e = currencyByCode(currency)?.exponent ?? 0;
          const r = toMinorUnits({ currency, amount, amtExp10 });
          // value x 10^e = amount x 10^(amtExp10 + e): compare both sides scaled to integers.
          const k = amtExp10 + e;
          if (k >= 0) return r.ok && r.minor === BigInt(amount) * 10n ** BigInt(k);
          const d = 10n ** BigInt(-k);
          return r.ok ? r.minor * d === BigInt(amount) : BigInt(amount) % d !== 0n;
        },
      ),
    );
  });
});

describe("formatCurrencyAmount", () => {
  it("writes the exact decimal value with the ISO 4217 alphabetic code", () => {
    expect(formatCurrencyAmount({ currency: usd, amount: 1234, amtExp10: -2 })).toBe("USD 12.34");
    expect(formatCurrencyAmount({ currency: usd, amount: 20, amtExp10: 3 })).toBe("USD 20000.00");
    expect(formatCurrencyAmount({ currency: usd, amount: 1234, amtExp10: 18 })).toBe(
      "USD 1234000000000000000000.00",
    );
    expect(formatCurrencyAmount({ currency: usd, amount: 1, amtExp10: -3 })).toBe("USD 0.001");
    expect(formatCurrencyAmount({ currency: jpy, amount: 1280, amtExp10: 0 })).toBe("JPY 1280");
    expect(formatCurrencyAmount({ currency: 999, amount: 125, amtExp10: -1 })).toBe("currency 999 12.5");
  });

  it("never rounds (property: the text reads back to the same value)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(usd, jpy, kwd),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: -18, max: 18 }),
        (currency, amount, amtExp10) => {
          const text = formatCurrencyAmount({ currency, amount, amtExp10 });
          const [, value] = text.split(" ");
          const [whole, fraction = ""] = value.split(".");
          const read = BigInt(whole + fraction); // value x 10^fraction.length
          const scale = fraction.length + amtExp10;
          return scale >= 0
            ? read === BigInt(amount) * 10n ** BigInt(scale)
            : read * 10n ** BigInt(-scale) === BigInt(amount);
        },
      ),
    );
  });
});

describe("ISO 4217 table", () => {
  it("finds currencies by number and by code, with their minor units", () => {
    expect(currencyByAlpha("usd")).toEqual({ code: 840, alpha: "USD", exponent: 2 });
    expect(currencyByCode(392)?.exponent).toBe(0);
    expect(currencyByCode(48)?.alpha).toBe("BHD");
    expect(currencyByAlpha("XAU")).toBeUndefined();
  });
});
