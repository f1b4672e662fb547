/**
 * The gateway's ledger of subsequent authorizations (a table of the gateway's database, written by
 * GatewayStore in the same write as the authorization row): each authorization made with an
 * AuthToken is linked to the purchase's first authorization (whose account it is held on) and to
 * the token it spent. The token is named by the authorization whose AuthRes carried it
 * (AuthTokenOpaque.authRecordID); a unique index lets one approved authorization spend it, once,
 * whatever reaches the database first.
 */
import type { SqlStatement } from "@setlab/runtime";

/** How a subsequent authorization links into its purchase. */
export interface SubsequentLink {
  /** Hex AuthRRPID of the purchase's first authorization. */
  readonly firstAuthRRPID: string;
  /** Hex AuthRRPID of the authorization whose AuthToken this one spent. */
  readonly spentAuthToken: string;
}

export const authTokenSchema = `
CREATE TABLE IF NOT EXISTS subsequent_authorizations (
  auth_rrpid TEXT PRIMARY KEY REFERENCES authorizations(auth_rrpid),
  first_auth_rrpid TEXT NOT NULL REFERENCES authorizations(auth_rrpid),
  spent_auth_token TEXT NOT NULL,
  approved INTEGER NOT NULL CHECK (approved IN (0, 1))
);
CREATE UNIQUE INDEX IF NOT EXISTS subsequent_spends_once
  ON subsequent_authorizations(spent_auth_token) WHERE approved = 1;
CREATE INDEX IF NOT EXISTS subsequent_of_first ON subsequent_authorizations(first_auth_rrpid);
`;

export const selectTokenSpent =
  "SELECT 1 AS spent FROM subsequent_authorizations WHERE spent_auth_token = ? AND approved = 1";
export const selectLinkOf =
  "SELECT first_auth_rrpid, spent_auth_token FROM subsequent_authorizations WHERE auth_rrpid = ?";
/** The purchase's authorizations in the order they were made: the first, then each subsequent one. */
export const selectAuthorizationsOfPurchase = `SELECT a.* FROM authorizations a
  WHERE a.auth_rrpid = @first
     OR a.auth_rrpid IN (SELECT auth_rrpid FROM subsequent_authorizations WHERE first_auth_rrpid = @first)
  ORDER BY a.created, a.rowid`;

export function linkSubsequent(authRRPID: string, link: SubsequentLink, approved: boolean): SqlStatement {
  return {
    sql: `INSERT INTO subsequent_authorizations (auth_rrpid, first_auth_rrpid, spent_auth_token, approved)
      VALUES (?, ?, ?, ?)`,
    params: [authRRPID, link.firstAuthRRPID, link.spentAuthToken, approved ? 1 : 0],
  };
}
