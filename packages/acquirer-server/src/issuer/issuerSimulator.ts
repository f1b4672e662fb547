/**
 * The issuer's decision for one authorization (patent step S47, the credit check). Pure: it reads
 * the account as stored and says what to answer and how much to hold; the gateway records both in
 * one transaction.
 */
import {
  type CurrencyAmountValue,
  currencyByCode,
  formatCurrencyAmount,
  toMinorUnits,
} from "@setlab/protocol";
import type { AccountRow } from "../store/gatewayStore";
import { type AuthCode, declineOf, isTestCardOutcome, type RespReason } from "./outcomes";

export interface IssuerDecision {
  readonly authCode: AuthCode;
  readonly respReason: RespReason;
  /** Present on approval: six characters the issuer gives as proof. */
  readonly approvalCode?: string;
  /** The amount to hold against the account, in its currency's minor units (0 unless approved). */
  readonly hold: number;
  /**
   * Approved for less than asked: AuthAmt is `hold` (in the account's minor units), not the amount
   * asked for (SET's AuthAmt; the merchant records a partial authorization).
   */
  readonly partial?: { readonly currency: number; readonly exponent: number };
  /** Why, for the gateway's log (never a PAN). */
  readonly reason: string;
}

/**
 * Decide an authorization of `amount` (SET's CurrencyAmount, read as its exact value) on
 * `account`; `account` undefined means the issuer has no such PAN. The amount must be one the
 * account can hold: its own currency (the simulator converts nothing), above zero, and a whole
 * number of minor units. `approvalCode` makes the code for an approval.
 */
export function decideAuthorization(
  account: AccountRow | undefined,
  amount: CurrencyAmountValue,
  approvalCode: () => string,
): IssuerDecision {
  if (!account) return { authCode: "declined", respReason: "issuer", hold: 0, reason: "unknown account" };
  const refuse = (reason: string): IssuerDecision => ({
    authCode: "amountError",
    respReason: "issuer",
    hold: 0,
    reason,
  });
  const value = toMinorUnits(amount);
  if (!value.ok)
    return refuse(
      value.reason === "unknownCurrency"
        ? `currency ${amount.currency} is not an ISO 4217 currency`
        : value.reason === "notPositive"
          ? "the amount is not above zero"
          : `${formatCurrencyAmount(amount)} is a fraction of the currency's minor unit`,
    );
  if (value.currency.code !== account.currency)
    return refuse(
      `${value.currency.alpha} is not the account's currency (${currencyByCode(account.currency)?.alpha ?? account.currency})`,
    );
  if (!isTestCardOutcome(account.outcome))
    return {
      authCode: "declined",
      respReason: "issuer",
      hold: 0,
      reason: `unknown outcome ${account.outcome}`,
    };
  if (account.outcome === "approvePartial") {
    // A debit-style account approves what it has: up to the credit limit less the live holds.
    const available = BigInt(account.creditLimit) - BigInt(account.held);
    if (available <= 0n)
      return { authCode: "declined", respReason: "issuer", hold: 0, reason: "nothing available" };
    if (value.minor > available)
      return {
        authCode: "approved",
        respReason: "issuer",
        approvalCode: approvalCode(),
        hold: Number(available),
        partial: { currency: value.currency.code, exponent: value.currency.exponent },
        reason: `approvePartial: ${available} of ${value.minor} available`,
      };
  } else if (account.outcome !== "approve") {
    const d = declineOf[account.outcome];
    return { ...d, hold: 0, reason: account.outcome };
  } else if (BigInt(account.held) + value.minor > BigInt(account.creditLimit))
    return refuse("amount over limit");
  return {
    authCode: "approved",
    respReason: "issuer",
    approvalCode: approvalCode(),
    hold: Number(value.minor),
    reason: account.outcome,
  };
}
