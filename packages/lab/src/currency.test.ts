import { formatAmount, purchAmtOf } from "./currency";

describe("amounts", () => {
  it("turns major units into SET's CurrencyAmount with the currency's exponent", () => {
    expect(purchAmtOf("12800", "JPY")).toEqual({ currency: 392, amount: 12800, amtExp10: 0 });
    expect(purchAmtOf("12.34", "usd")).toEqual({ currency: 840, amount: 1234, amtExp10: -2 });
    expect(purchAmtOf("5", "978")).toEqual({ currency: 978, amount: 500, amtExp10: -2 });
    expect(formatAmount(purchAmtOf("12.30", "EUR"))).toBe("EUR 12.30");
    expect(formatAmount(purchAmtOf("4200", "JPY"))).toBe("JPY 4200");
  });

  it.each([
    ["0", "JPY", "out of range"],
    ["-1", "JPY", "not a positive decimal"],
    ["1e3", "JPY", "not a positive decimal"],
    ["1.5", "JPY", "more decimals"],
    ["1.234", "USD", "more decimals"],
    ["99999999999999999", "JPY", "not a positive decimal"],
    ["1", "XXX", "unknown currency"],
    ["1", "0", "unknown currency"],
    ["1", "999", "unknown currency"],
  ])("%s %s is refused (%s)", (amount, currency, why) => {
    expect(() => purchAmtOf(amount, currency)).toThrow(why);
  });
});
