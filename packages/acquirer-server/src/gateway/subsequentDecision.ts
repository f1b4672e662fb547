/**
 * Decide phase for a subsequent authorization (the AuthReq's PI is an AuthToken that
 * `receiveAuthReq` found genuine, this merchant's, this transaction's, and within its schedule).
 * Pure: the ledger's view comes in. Under the gateway's serial queue it makes the checks only the
 * ledger can: the purchase's first authorization exists, was approved, is this merchant's and
 * this XID's and names an account; the token is still unspent (a twin request that won the race
 * spent it). Then the issuer decides on that account, holding the amount per authorization.
 */
import type { SubsequentAuthorization, schema } from "@setlab/protocol";
import { decideAuthorization } from "../issuer/issuerSimulator";
import type { SubsequentLink } from "../store/authTokenLedger";
import type { AccountRow, AuthorizationRow } from "../store/gatewayStore";
import type { AuthDecision } from "./authResData";

export interface SubsequentInputs {
  readonly merID: string;
  /** Hex. */
  readonly xid: string;
  readonly authorization: (authRRPID: string) => AuthorizationRow | undefined;
  readonly authTokenSpent: (authRRPID: string) => boolean;
  readonly accountOfCard: (cardId: string) => AccountRow | undefined;
}

export type SubsequentDecision = AuthDecision & { readonly subsequentOf?: SubsequentLink };

const rejected = (reason: string): SubsequentDecision => ({ authCode: "authTokenRejected", hold: 0, reason });

export function decideSubsequent(
  outcome: SubsequentAuthorization,
  amount: schema.CurrencyAmount,
  approvalCode: () => string,
  i: SubsequentInputs,
): SubsequentDecision {
  const { firstAuthRecordID, authRecordID } = outcome.opaque;
  const first = i.authorization(firstAuthRecordID);
  if (first?.authCode !== "approved" || !first.cardId)
    return rejected("the AuthToken's purchase has no approved first authorization here");
  if (first.merchantID !== i.merID || first.xid !== i.xid)
    return rejected("the AuthToken's purchase is another merchant's or another transaction's");
  const subsequentOf: SubsequentLink = { firstAuthRRPID: firstAuthRecordID, spentAuthToken: authRecordID };
  if (i.authTokenSpent(authRecordID))
    return { ...rejected("the AuthToken was already used for an authorization"), subsequentOf };
  const account = i.accountOfCard(first.cardId);
  const issuer = decideAuthorization(account, amount, approvalCode);
  return { ...issuer, ...(account ? { cardId: account.cardId } : {}), subsequentOf };
}
