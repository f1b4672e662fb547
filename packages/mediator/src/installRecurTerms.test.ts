import { installRecurTermsOf, TermsError } from "./installRecurTerms";

describe("installRecurTermsOf (--installments, --recurring)", () => {
  test("none, a count of installments, or a period in days and the last day (its end, UTC)", () => {
    expect(installRecurTermsOf(undefined, undefined)).toBeUndefined();
    expect(installRecurTermsOf("3", undefined)).toEqual({
      installRecurInd: { type: "installTotalTrans", value: 3 },
    });
    expect(installRecurTermsOf(undefined, "30:2027-12-31")).toEqual({
      installRecurInd: {
        type: "recurring",
        value: { recurringFrequency: 30, recurringExpiry: new Date("2027-12-31T23:59:59Z") },
      },
    });
  });

  test("refuses both at once, a count outside 2..999, a period outside 1..366 days, a malformed or impossible date", () => {
    for (const [i, r] of [
      ["3", "30:2027-12-31"],
      ["1", undefined],
      ["1000", undefined],
      ["x", undefined],
      [undefined, "0:2027-12-31"],
      [undefined, "367:2027-12-31"],
      [undefined, "30"],
      [undefined, "30:2027-13-45"],
    ] as const)
      expect(() => installRecurTermsOf(i, r)).toThrow(TermsError);
  });
});
