import type { AccountRow } from "../store/gatewayStore";
import { decideAuthorization } from "./issuerSimulator";
import { defaultCreditLimit } from "./outcomes";

const account = (outcome: string, held = 0): AccountRow => ({
  cardId: "c",
  brand: "Visa",
  pan: "4111110000000005",
  expiry: "203012",
  outcome,
  creditLimit: defaultCreditLimit,
  held,
});
const code = () => "A1B2C3";

describe("issuer simulator", () => {
  it.each([
    ["insufficientFunds", "declined", "issuer"],
    ["expiredCard", "expiredCard", "issuer"],
    ["lostOrStolen", "declined", "issuer"],
    ["callIssuer", "callIssuer", "issuer"],
    ["issuerUnavailable", "noReply", "standInIssuerUnavailable"],
  ])("%s answers %s (%s) and holds nothing", (outcome, authCode, respReason) => {
    const d = decideAuthorization(account(outcome), 100, code);
    expect(d).toMatchObject({ authCode, respReason, hold: 0 });
    expect(d.approvalCode).toBeUndefined();
  });

  it("approves within the limit and holds the amount", () => {
    expect(decideAuthorization(account("approve"), 12800, code)).toMatchObject({
      authCode: "approved",
      approvalCode: "A1B2C3",
      hold: 12800,
    });
  });

  it("approves exactly up to the limit, and refuses one unit more", () => {
    expect(decideAuthorization(account("approve", 1000), defaultCreditLimit - 1000, code).authCode).toBe(
      "approved",
    );
    const over = decideAuthorization(account("approve", 1000), defaultCreditLimit - 999, code);
    expect(over).toMatchObject({ authCode: "amountError", hold: 0, reason: "amount over limit" });
  });

  it("declines an unknown account and an unknown outcome", () => {
    expect(decideAuthorization(undefined, 1, code)).toMatchObject({ authCode: "declined", hold: 0 });
    expect(decideAuthorization(account("bogus"), 1, code)).toMatchObject({ authCode: "declined", hold: 0 });
  });
});
