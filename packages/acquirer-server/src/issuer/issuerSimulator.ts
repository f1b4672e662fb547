/**
 * The issuer's decision for one authorization (patent step S47, the credit check). Pure: it reads
 * the account as stored and says what to answer and how much to hold; the gateway records both in
 * one transaction.
 */
import type { AccountRow } from "../store/gatewayStore";
import { type AuthCode, declineOf, isTestCardOutcome, type RespReason } from "./outcomes";

export interface IssuerDecision {
  readonly authCode: AuthCode;
  readonly respReason: RespReason;
  /** Present on approval: six characters the issuer gives as proof. */
  readonly approvalCode?: string;
  /** The amount to hold against the account (0 unless approved). */
  readonly hold: number;
  /** Why, for the gateway's log (never a PAN). */
  readonly reason: string;
}

/**
 * Decide an authorization of `amount` (minor units as requested) on `account`; `account`
 * undefined means the issuer has no such PAN. `approvalCode` makes the code for an approval.
 */
export function decideAuthorization(
  account: AccountRow | undefined,
  amount: number,
  approvalCode: () => string,
): IssuerDecision {
  if (!account) return { authCode: "declined", respReason: "issuer", hold: 0, reason: "unknown account" };
  if (!isTestCardOutcome(account.outcome))
    return {
      authCode: "declined",
      respReason: "issuer",
      hold: 0,
      reason: `unknown outcome ${account.outcome}`,
    };
  if (account.outcome !== "approve") {
    const d = declineOf[account.outcome];
    return { ...d, hold: 0, reason: account.outcome };
  }
  if (account.held + amount > account.creditLimit)
    return { authCode: "amountError", respReason: "issuer", hold: 0, reason: "amount over limit" };
  return {
    authCode: "approved",
    respReason: "issuer",
    approvalCode: approvalCode(),
    hold: amount,
    reason: "approve",
  };
}
