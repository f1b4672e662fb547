/**
 * Decide phase (patent step S47): what to answer an AuthReq taken as new. Pure: the store's view
 * (this merchant's earlier approvals of the XID, the account of a PAN) and the approval-code
 * source come in. In this order: a refusal `receiveAuthReq` made is answered with its AuthCode; an
 * AuthToken's authorization is `decideSubsequent`'s; a second authorization of the XID by a PI is
 * duplicateAuthorization (the cardholder's PI authorizes once: later parts of a split shipment and
 * later installment or recurring payments come with the AuthToken, which enforces their limits);
 * anything else is the issuer's.
 */
import type { schema } from "@setlab/protocol";
import { decideAuthorization } from "../issuer/issuerSimulator";
import type { AccountRow, AuthorizationRow } from "../store/gatewayStore";
import { decideSubsequent, type SubsequentDecision, type SubsequentInputs } from "./subsequentDecision";
import type { TakenAuthReq } from "./takenAuthReq";

/**
 * An XID is the merchant's transaction id, so it is counted per merchant: another merchant's
 * authorizations under the same XID (XIDs are public in PInitRes) neither count against this one
 * nor are blocked by it; each merchant's own are judged against its buyer's PI.
 */
export function approvalsOfMerchant(authorizationsOfXid: readonly AuthorizationRow[], merID: string): number {
  return authorizationsOfXid.filter((a) => a.authCode === "approved" && a.merchantID === merID).length;
}

export interface DecisionInputs {
  readonly outcome: TakenAuthReq["outcome"];
  readonly amount: schema.CurrencyAmount;
  readonly at: Date;
  /** This merchant's approved authorizations of the XID so far. */
  readonly approvedBefore: number;
  readonly accountOf: (pan: string) => AccountRow | undefined;
  readonly approvalCode: () => string;
  /** The ledger's view, for an authorization made with an AuthToken. */
  readonly subsequent?: SubsequentInputs;
}

export function decideAuthReq(i: DecisionInputs): SubsequentDecision {
  const { outcome } = i;
  if (outcome.kind === "subsequent") {
    if (!i.subsequent)
      return { authCode: "authTokenRejected", hold: 0, reason: "no ledger to judge the AuthToken" };
    return decideSubsequent(outcome, i.amount, i.approvalCode, i.subsequent);
  }
  if (i.approvedBefore > 0)
    return { authCode: "duplicateAuthorization", hold: 0, reason: "the XID is already authorized" };
  if (outcome.kind === "refused") return { authCode: outcome.authCode, hold: 0, reason: outcome.reason };
  const account = i.accountOf(outcome.pan);
  const issuer = decideAuthorization(account, i.amount, i.approvalCode);
  return { ...issuer, ...(account ? { cardId: account.cardId } : {}) };
}
