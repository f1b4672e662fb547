import {
  describeInstallRecur,
  InstallRecurTermsError,
  installRecurDataOf,
  readInstallRecurTerms,
} from "./installRecurTerms";

describe("installment and recurring terms", () => {
  test("the two forms read, become InstallRecurData, and read as words", () => {
    const three = readInstallRecurTerms({ installments: 3 });
    expect(installRecurDataOf(three)).toEqual({ installRecurInd: { type: "installTotalTrans", value: 3 } });
    expect(describeInstallRecur(installRecurDataOf(three))).toBe("in 3 installments");
    const monthly = readInstallRecurTerms({ recurringDays: 30, recurringExpiry: "2027-12-31" });
    expect(installRecurDataOf(monthly)).toEqual({
      installRecurInd: {
        type: "recurring",
        value: { recurringFrequency: 30, recurringExpiry: new Date("2027-12-31T23:59:59Z") },
      },
    });
    expect(describeInstallRecur(installRecurDataOf(monthly))).toBe("every 30 days until 2027-12-31");
    expect(
      describeInstallRecur(installRecurDataOf({ recurringDays: 1, recurringExpiry: "2027-01-31" })),
    ).toBe("every day until 2027-01-31");
  });

  test("refuses what is not one of the two forms, a count outside 2..999, a period outside 1..366, a bad date", () => {
    for (const bad of [
      null,
      [],
      "monthly",
      {},
      { installments: 3, recurringDays: 30 },
      { installments: 1 },
      { installments: 1000 },
      { installments: 2.5 },
      { installments: "3" },
      { recurringDays: 0, recurringExpiry: "2027-12-31" },
      { recurringDays: 367, recurringExpiry: "2027-12-31" },
      { recurringDays: 30, recurringExpiry: "31.12.2027" },
      { recurringDays: 30, recurringExpiry: "2027-13-45" },
      { recurringDays: 30, recurringExpiry: "2027-02-30" },
      { recurringDays: 30 },
    ])
      expect(() => readInstallRecurTerms(bad)).toThrow(InstallRecurTermsError);
    expect(() => readInstallRecurTerms({ installments: 1 }, "initiation.terms")).toThrow(
      /^initiation.terms.installments must be an integer from 2 to 999$/,
    );
  });
});
