/**
 * Decide phase (patent step S47): what to answer an AuthReq taken as new. Pure: the store's view
 * (this merchant's earlier approvals of the XID, the account of a PAN) and the approval-code
 * source come in. In this order: a second authorization of the XID beyond what InstallRecurData
 * allows is duplicateAuthorization; a refusal `receiveAuthReq` made is answered with its AuthCode;
 * anything else is the issuer's.
 */
import { isDuplicateAuthorization, type schema } from "@setlab/protocol";
import { decideAuthorization } from "../issuer/issuerSimulator";
import type { AccountRow, AuthorizationRow } from "../store/gatewayStore";
import type { AuthDecision } from "./authResData";
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
}

export function decideAuthReq(i: DecisionInputs): AuthDecision {
  const { outcome } = i;
  if (
    i.approvedBefore > 0 &&
    isDuplicateAuthorization(outcome.piHead?.installRecurData, i.approvedBefore, i.at)
  )
    return { authCode: "duplicateAuthorization", hold: 0, reason: "the XID is already authorized" };
  if (outcome.kind === "refused") return { authCode: outcome.authCode, hold: 0, reason: outcome.reason };
  const account = i.accountOf(outcome.pan);
  const issuer = decideAuthorization(account, i.amount, i.approvalCode);
  return { ...issuer, ...(account ? { cardId: account.cardId } : {}) };
}
