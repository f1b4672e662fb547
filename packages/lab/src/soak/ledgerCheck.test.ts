import { checkLedger } from "./ledgerCheck";
import { backOfficeStep, backOfficeSteps } from "./soakBackOffice";

const order = (state: string, authAmt: number, capAmt?: number) => ({
  state,
  authorization: {
    authAmt: { amount: authAmt },
    ...(capAmt === undefined ? {} : { capture: { capCode: "success", capAmt: { amount: capAmt } } }),
  },
});

describe("the soak's ledger check", () => {
  const before = { visa: { held: 10, posted: 100 }, mc: { held: 0, posted: 0 } };
  const orders = [
    { card: "visa", order: order("authorized", 2) },
    { card: "visa", order: order("captured", 2, 2) },
    { card: "visa", order: order("partiallyCaptured", 2, 1) },
    { card: "visa", order: order("declined", 0) },
    { card: "mc", order: order("partiallyAuthorized", 1) },
    {
      card: "mc",
      order: {
        ...order("refundReversed", 2, 2),
        authorization: {
          ...order("refundReversed", 2, 2).authorization,
          capRevOrCreds: [
            { kind: "credit", code: "success", actualAmt: { amount: 2 } },
            { kind: "creditReversal", code: "success", actualAmt: { amount: 1 } },
            { kind: "credit", code: "amountError", actualAmt: { amount: 0 } },
          ],
        },
      },
    },
    { card: "mc", order: order("captureReversed", 2, 2) },
    { card: "mc" },
  ];

  it("matches when holds are the open authorizations and postings the captures", () => {
    const after = { visa: { held: 12, posted: 103 }, mc: { held: 1, posted: 1 } };
    const r = checkLedger(before, after, orders);
    expect(r.mismatches).toEqual([]);
    expect(r.rows).toEqual([
      { card: "mc", heldDelta: 1, heldByOrders: 1, postedDelta: 1, postedByOrders: 1 },
      { card: "visa", heldDelta: 2, heldByOrders: 2, postedDelta: 3, postedByOrders: 3 },
    ]);
  });

  it("names a posting the merchant does not know of, a hold left after a capture, an unreadable account", () => {
    const r = checkLedger(before, { visa: { held: 14, posted: 105 } }, orders);
    expect(r.mismatches).toEqual([
      "mc: the gateway's account could not be read after the soak",
      "visa: the issuer holds 4 more, the merchant's open authorizations 2",
      "visa: the issuer posted 5, the merchant's captures 3",
    ]);
  });
});

describe("the back office's steps", () => {
  it("every approving card of the soak meets every step, and ten purchases meet the first five", () => {
    const cards = 6;
    for (const card of [0, 1, 2, 3]) {
      const seen = new Set(Array.from({ length: 60 }, (_, r) => backOfficeStep(r * cards + card, cards)));
      expect([...seen].sort()).toEqual([...backOfficeSteps].sort());
    }
    const approvedOfTen = [0, 1, 2, 3, 6, 7, 8, 9];
    expect(new Set(approvedOfTen.map((i) => backOfficeStep(i, cards)))).toEqual(
      new Set(backOfficeSteps.slice(0, 5)),
    );
  });
});
