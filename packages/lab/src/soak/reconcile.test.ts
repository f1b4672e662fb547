import { type PurchaseRecords, reconcile } from "./reconcile";

const approved = [{ authCode: "approved" }];
const declined = [{ authCode: "insufficientFunds" }];
const rec = (
  outcome: string,
  state: string | undefined,
  authorizations: PurchaseRecords["authorizations"],
): PurchaseRecords => ({
  buyer: { outcome },
  orderId: "1",
  ...(state ? { order: { state, xid: "ab" } } : {}),
  ...(authorizations ? { authorizations } : {}),
});

describe("reconcile a soak purchase", () => {
  it.each([
    ["approved", "authorized", approved, "completed"],
    ["partiallyApproved", "partiallyAuthorized", approved, "partial"],
    ["approved", "captured", approved, "completed"],
    ["approved", "partiallyCaptured", approved, "completed"],
    ["partiallyApproved", "partiallyCaptured", approved, "partial"],
    ["approved", "reversed", approved, "completed"],
    ["declined", "declined", declined, "declined"],
    ["orderReceived", "authorizationFailed", [], "failed"],
    ["refused", "initiated", [], "failed"],
    ["failed", "authorized", approved, "failed"],
    ["error", "declined", declined, "failed"],
    // A duplicate declined row beside the approval does not make a disagreement.
    ["approved", "authorized", [...approved, { authCode: "duplicateAuthorization" }], "completed"],
  ])("buyer %s, order %s, gateway %j: %s", (outcome, state, auths, verdict) => {
    expect(reconcile(rec(outcome, state, auths))).toEqual({ verdict });
  });

  it.each([
    [
      "orderReceived",
      "authorizationFailed",
      approved,
      /gateway approved the XID, the merchant's order is authorizationFailed/,
    ],
    ["failed", "authorizing", [], /still authorizing/],
    ["orderReceived", "authorizationFailed", declined, /gateway declined the XID/],
    ["approved", "authorized", [], /gateway has no authorization/],
    ["declined", "declined", [], /gateway has no authorization/],
    ["approved", "authorizationFailed", [], /buyer was told approved/],
    ["declined", "authorizationFailed", [], /buyer was told declined/],
    ["partiallyApproved", "authorized", approved, /buyer was told partiallyApproved/],
    ["partiallyApproved", "captured", approved, /buyer was told partiallyApproved/],
    ["declined", "captured", approved, /buyer was told declined/],
    ["orderReceived", "captured", declined, /gateway declined the XID/],
    ["declined", "reversed", declined, /gateway declined the XID/],
    ["orderReceived", "reversed", [], /gateway has no authorization/],
    ["approved", "partiallyAuthorized", approved, /buyer was told approved/],
    ["orderReceived", "partiallyAuthorized", [], /gateway has no authorization/],
    ["partiallyApproved", "declined", declined, /buyer was told partiallyApproved/],
    ["approved", undefined, approved, /order could not be read/],
    ["approved", "authorized", undefined, /gateway's record could not be read/],
  ])("buyer %s, order %s, gateway %j: lost", (outcome, state, auths, reason) => {
    const r = reconcile(rec(outcome, state, auths));
    expect(r.verdict).toBe("lost");
    expect(r.reason).toMatch(reason);
  });

  it("a purchase without an order fails, unless the buyer was told an outcome", () => {
    expect(reconcile({ buyer: { outcome: "error" } })).toEqual({ verdict: "failed" });
    expect(reconcile({ buyer: { outcome: "approved" } }).verdict).toBe("lost");
  });
});
