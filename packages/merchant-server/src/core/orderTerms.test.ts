import { OrderInputError, parseNewOrder } from "./newOrder";
import { installRecurDataOf, OrderTermsError, parseOrderTerms } from "./orderTerms";

const order = { description: "a box of tea every month", amount: 500, currency: 392 };

describe("order terms (installments, recurring payments)", () => {
  test("installments and recurring terms parse, and become SET's InstallRecurData", () => {
    expect(parseOrderTerms(undefined)).toBeUndefined();
    expect(installRecurDataOf(parseOrderTerms({ installments: 3 })!)).toEqual({
      installRecurInd: { type: "installTotalTrans", value: 3 },
    });
    expect(
      installRecurDataOf(parseOrderTerms({ recurringDays: 30, recurringExpiry: "2027-12-31" })!),
    ).toEqual({
      installRecurInd: {
        type: "recurring",
        value: { recurringFrequency: 30, recurringExpiry: new Date("2027-12-31T23:59:59Z") },
      },
    });
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
      { recurringDays: 0, recurringExpiry: "2027-12-31" },
      { recurringDays: 367, recurringExpiry: "2027-12-31" },
      { recurringDays: 30, recurringExpiry: "31.12.2027" },
      { recurringDays: 30, recurringExpiry: "2027-13-45" },
      { recurringDays: 30 },
    ])
      expect(() => parseOrderTerms(bad)).toThrow(OrderTermsError);
  });

  test("an order takes terms; bad terms, or terms with a first shipment, are invalidTerms", () => {
    expect(parseNewOrder({ ...order, terms: { installments: 3 } }, ["Visa"]).terms).toEqual({
      installments: 3,
    });
    for (const body of [
      { ...order, terms: { installments: 1 } },
      { ...order, terms: { installments: 3 }, firstShipmentAmount: 100 },
    ]) {
      const e = (() => {
        try {
          parseNewOrder(body, ["Visa"]);
        } catch (x) {
          return x;
        }
      })();
      expect(e).toBeInstanceOf(OrderInputError);
      expect((e as OrderInputError).code).toBe("invalidTerms");
    }
  });

  test("firstShipmentAmount: a positive integer no larger than the amount", () => {
    expect(parseNewOrder({ ...order, firstShipmentAmount: 200 }, ["Visa"]).firstShipmentAmount).toBe(200);
    for (const firstShipmentAmount of [0, 501, 1.5, "200"])
      expect(() => parseNewOrder({ ...order, firstShipmentAmount }, ["Visa"])).toThrow(OrderInputError);
  });
});
