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

  test("terms protocol refuses are OrderTermsError (invalidTerms), with protocol's message", () => {
    expect(() => parseOrderTerms({ installments: 1 })).toThrow(OrderTermsError);
    expect(() => parseOrderTerms({ installments: 1 })).toThrow(
      /terms.installments must be an integer from 2 to 999/,
    );
    expect(() => parseOrderTerms("monthly")).toThrow(OrderTermsError);
  });

  test("an order takes terms; bad terms, or terms with a first shipment, are invalidTerms", () => {
    expect(parseNewOrder({ ...order, terms: { installments: 3 } }, ["Visa"]).terms).toEqual({
      installments: 3,
    });
    for (const body of [
      { ...order, terms: { installments: 1 } },
      { ...order, terms: { installments: 3 }, firstShipmentAmount: 100 },
      { ...order, terms: { installments: 3 }, profile: "embodiment-1" },
      { ...order, terms: { recurringDays: 30, recurringExpiry: "2099-12-31" }, profile: "embodiment-2" },
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
