import fc from "fast-check";
import type { AccountRow } from "../store/gatewayStore";
import { decideAuthorization } from "./issuerSimulator";
import { defaultAccountCurrency, defaultCreditLimit } from "./outcomes";

const usd = 840;
const jpy = 392;

const account = (outcome: string, held = 0, currency = defaultAccountCurrency): AccountRow => ({
  cardId: "c",
  brand: "Visa",
  panMasked: "411111******0005",
  expiry: "203012",
  outcome,
  currency,
  creditLimit: defaultCreditLimit,
  held,
});
const yen = (amount: number, amtExp10 = 0) => ({ currency: jpy, amount, amtExp10 });
const dollars = (amount: number, amtExp10: number) => ({ currency: usd, amount, amtExp10 });
const code = () => "A1B2C3";

describe("issuer simulator", () => {
  it.each([
    ["insufficientFunds", "declined", "issuer"],
    ["expiredCard", "expiredCard", "issuer"],
    ["lostOrStolen", "declined", "issuer"],
    ["callIssuer", "callIssuer", "issuer"],
    ["issuerUnavailable", "noReply", "standInIssuerUnavailable"],
  ])("%s answers %s (%s) and holds nothing", (outcome, authCode, respReason) => {
    const d = decideAuthorization(account(outcome), yen(100), code);
    expect(d).toMatchObject({ authCode, respReason, hold: 0 });
    expect(d.approvalCode).toBeUndefined();
  });

  it("approves within the limit and holds the amount", () => {
    expect(decideAuthorization(account("approve"), yen(12800), code)).toMatchObject({
      authCode: "approved",
      approvalCode: "A1B2C3",
      hold: 12800,
    });
  });

  it("approves exactly up to the limit, and refuses one unit more", () => {
    expect(decideAuthorization(account("approve", 1000), yen(defaultCreditLimit - 1000), code).authCode).toBe(
      "approved",
    );
    const over = decideAuthorization(account("approve", 1000), yen(defaultCreditLimit - 999), code);
    expect(over).toMatchObject({ authCode: "amountError", hold: 0, reason: "amount over limit" });
  });

  it("reads the decimal exponent: 20 x 10^3 yen is 20 000 yen, not 20", () => {
    expect(decideAuthorization(account("approve"), yen(20, 3), code)).toMatchObject({
      authCode: "approved",
      hold: 20_000,
    });
    expect(decideAuthorization(account("approve", 990_000), yen(20, 3), code).authCode).toBe("amountError");
    // 10^18 yen is over any limit, and is not held as 1.
    expect(decideAuthorization(account("approve"), yen(1, 18), code)).toMatchObject({
      authCode: "amountError",
      hold: 0,
    });
  });

  it("holds in the account's minor units: 12.34 USD on a USD account holds 1234 cents, however sent", () => {
    for (const amt of [dollars(1234, -2), dollars(12340, -3), dollars(123400, -4)])
      expect(decideAuthorization(account("approve", 0, usd), amt, code)).toMatchObject({
        authCode: "approved",
        hold: 1234,
      });
  });

  it("refuses another currency, a fraction of the minor unit, zero and what is no currency", () => {
    expect(decideAuthorization(account("approve"), dollars(100, 0), code)).toMatchObject({
      authCode: "amountError",
      hold: 0,
      reason: "USD is not the account's currency (JPY)",
    });
    expect(decideAuthorization(account("approve"), yen(15, -1), code).reason).toMatch(/fraction/);
    for (const amount of [0, -0])
      expect(decideAuthorization(account("approve"), yen(amount), code).reason).toBe(
        "the amount is not above zero",
      );
    for (const currency of [1, 999])
      expect(decideAuthorization(account("approve"), { currency, amount: 5, amtExp10: 0 }, code).reason).toBe(
        `currency ${currency} is not an ISO 4217 currency`,
      );
  });

  it("never holds more than the limit, whatever the amount and exponent (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: defaultCreditLimit }),
        fc.oneof(
          fc.integer({ min: 1, max: 2_000_000 }),
          fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        ),
        fc.integer({ min: -18, max: 18 }),
        (held, amount, amtExp10) => {
          const d = decideAuthorization(account("approve", held), yen(amount, amtExp10), code);
          if (d.authCode !== "approved") return d.hold === 0;
          // The hold is the exact value in yen.
          const a = BigInt(amount);
          const scale = 10n ** BigInt(Math.abs(amtExp10));
          const exact = amtExp10 >= 0 ? a * scale : a % scale === 0n ? a / scale : undefined;
          return held + d.hold <= defaultCreditLimit && exact !== undefined && BigInt(d.hold) === exact;
        },
      ),
    );
  });

  it("a debit-style account (approvePartial) approves in full within what it has, partially over it, and declines when nothing is left", () => {
    expect(decideAuthorization(account("approvePartial", 0), yen(12800), code)).toMatchObject({
      authCode: "approved",
      hold: 12800,
    });
    expect(decideAuthorization(account("approvePartial", 0), yen(12800), code).partial).toBeUndefined();
    const partial = decideAuthorization(account("approvePartial", 900_000), yen(150_000), code);
    expect(partial).toMatchObject({
      authCode: "approved",
      approvalCode: "A1B2C3",
      hold: 100_000,
      partial: { currency: jpy, exponent: 0 },
    });
    expect(decideAuthorization(account("approvePartial", defaultCreditLimit), yen(1), code)).toMatchObject({
      authCode: "declined",
      hold: 0,
    });
    // The amount rules hold first: another currency is refused, not partially approved.
    expect(decideAuthorization(account("approvePartial"), dollars(100, 0), code).authCode).toBe(
      "amountError",
    );
  });

  it("a partial approval holds exactly what is left, in the account's minor units (USD cents)", () => {
    const d = decideAuthorization(
      account("approvePartial", defaultCreditLimit - 250, usd),
      dollars(1000, 0),
      code,
    );
    expect(d).toMatchObject({ authCode: "approved", hold: 250, partial: { currency: usd, exponent: 2 } });
  });

  it("declines an unknown account and an unknown outcome", () => {
    expect(decideAuthorization(undefined, yen(1), code)).toMatchObject({ authCode: "declined", hold: 0 });
    expect(decideAuthorization(account("bogus"), yen(1), code)).toMatchObject({
      authCode: "declined",
      hold: 0,
    });
  });
});
