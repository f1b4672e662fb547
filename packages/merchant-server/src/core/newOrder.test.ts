import { OrderInputError, parseNewOrder } from "./newOrder";
import { canTransition, checkTransition, OrderStateError } from "./orderState";

const brands = ["Visa", "MasterCard"];

describe("POST /orders body", () => {
  test("a valid order, amtExp10 defaulting to 0", () => {
    expect(parseNewOrder({ description: "mug", amount: 12800, currency: 392 }, brands)).toEqual({
      description: "mug",
      purchAmt: { currency: 392, amount: 12800, amtExp10: 0 },
      profile: "set",
    });
    expect(
      parseNewOrder({ description: "mug", amount: 1, currency: 392, profile: "hardened" }, brands),
    ).toMatchObject({ profile: "hardened" });
    expect(
      parseNewOrder({ description: "mug", amount: 1, currency: 392, profile: "embodiment-1" }, brands),
    ).toMatchObject({ profile: "embodiment-1" });
    expect(
      parseNewOrder({ description: "mug", amount: 1, currency: 840, amtExp10: -2, brand: "Visa" }, brands),
    ).toMatchObject({ brand: "Visa", purchAmt: { amtExp10: -2 } });
  });

  test.each([
    [null, "JSON object"],
    [[], "JSON object"],
    [{ amount: 1, currency: 392 }, "description"],
    [{ description: " ", amount: 1, currency: 392 }, "description"],
    [{ description: "x".repeat(5000), amount: 1, currency: 392 }, "description"],
    [{ description: "mug", amount: -1, currency: 392 }, "amount"],
    [{ description: "mug", amount: 1.5, currency: 392 }, "amount"],
    [{ description: "mug", amount: "12800", currency: 392 }, "amount"],
    [{ description: "mug", amount: 0, currency: 392 }, "amount"],
    [{ description: "mug", amount: -0, currency: 392 }, "amount"],
    [{ description: "mug", amount: 1, currency: 1000 }, "currency"],
    [{ description: "mug", amount: 1, currency: 1 }, "currency"],
    [{ description: "mug", amount: 1, currency: 999 }, "currency"],
    [{ description: "mug", amount: 15, currency: 392, amtExp10: -1 }, "fraction"],
    [{ description: "mug", amount: 1, currency: 392, amtExp10: 19 }, "amtExp10"],
    [{ description: "mug", amount: 1, currency: 392, brand: "Amex" }, "brand"],
    [{ description: "mug", amount: 1, currency: 392, profile: "embodiment-9" }, "profile"],
    [{ description: "mug", amount: 1, currency: 392, pan: "4111" }, "unknown field"],
  ])("%j is refused (%s)", (body, what) => {
    expect(() => parseNewOrder(body, brands)).toThrow(OrderInputError);
    expect(() => parseNewOrder(body, brands)).toThrow(what);
  });
});

describe("order state machine", () => {
  test("the purchase path is allowed, shortcuts and reversals are not", () => {
    expect(canTransition("created", "initiated")).toBe(true);
    expect(canTransition("authorizing", "declined")).toBe(true);
    expect(() => checkTransition("created", "authorized")).toThrow(OrderStateError);
    expect(() => checkTransition("authorized", "authorizing")).toThrow(OrderStateError);
    // A new PInitReq re-initiates an order no PReq has reached (a new XID); nothing else repeats.
    expect(canTransition("initiated", "initiated")).toBe(true);
    expect(() => checkTransition("purchaseRequested", "purchaseRequested")).toThrow(OrderStateError);
    expect(() => checkTransition("purchaseRequested", "initiated")).toThrow(OrderStateError);
    // A decline or a failure may be paid again; an authorization is final.
    expect(canTransition("declined", "initiated")).toBe(true);
    expect(canTransition("authorizationFailed", "purchaseRequested")).toBe(true);
    expect(() => checkTransition("authorized", "initiated")).toThrow(OrderStateError);
    expect(() => checkTransition("partiallyAuthorized", "purchaseRequested")).toThrow(OrderStateError);
  });
});
