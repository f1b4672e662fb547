import { PurchaseStop } from "./cardAnswers";
import { choosePayment } from "./paymentChoice";

const shop = { brands: ["Visa", "MasterCard"], unsignedAllowed: ["MasterCard"] };
const refused = (message: RegExp) =>
  expect.objectContaining({
    constructor: PurchaseStop,
    kind: "refused",
    message: expect.stringMatching(message),
  });

describe("choosePayment", () => {
  test("the card's own brand, dual-signed, when the caller asks nothing", () => {
    expect(choosePayment(shop, "Visa", {})).toEqual({ brand: "Visa", form: "dualSigned" });
  });

  test("the caller's brand wins over the card's", () => {
    expect(choosePayment(shop, "Visa", { brand: "MasterCard" })).toEqual({
      brand: "MasterCard",
      form: "dualSigned",
    });
  });

  test("a brand the shop does not accept is refused, naming what it accepts", () => {
    expect(() => choosePayment(shop, "JCB", {})).toThrow(
      refused(/does not accept JCB \(it accepts Visa, MasterCard\)/),
    );
    expect(() => choosePayment(shop, "Visa", { brand: "Amex" })).toThrow(refused(/does not accept Amex/));
  });

  test("the unsigned form only where the shop allows it for the brand", () => {
    expect(choosePayment(shop, "MasterCard", { form: "unsigned" })).toEqual({
      brand: "MasterCard",
      form: "unsigned",
    });
    expect(() => choosePayment(shop, "Visa", { form: "unsigned" })).toThrow(
      refused(/unsigned purchases for Visa/),
    );
  });
});
