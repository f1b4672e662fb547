/**
 * AuthResData for a decision: the request's AuthTags echoed, the AuthHeader with AuthCode,
 * AuthAmt (the amount asked for when approved, the amount held when approved partially, zero
 * otherwise) and ResponseData.
 */
import type { schema } from "@setlab/protocol";
import type { AuthCode, RespReason } from "../issuer/outcomes";

export interface AuthDecision {
  readonly authCode: AuthCode;
  /** Absent when the gateway itself refused before asking the issuer. */
  readonly respReason?: RespReason;
  readonly approvalCode?: string;
  /** Amount held against the account. */
  readonly hold: number;
  /** Approved for `hold` only, less than asked (the issuer's `partial`). */
  readonly partial?: { readonly currency: number; readonly exponent: number };
  /** For the log: why (never a PAN). */
  readonly reason: string;
  readonly cardId?: string;
}

export function authResDataFor(
  authTags: schema.AuthTags,
  authReqAmt: schema.CurrencyAmount,
  decision: AuthDecision,
): schema.AuthResData {
  const approved = decision.authCode === "approved";
  return {
    authTags,
    authResPayload: {
      authHeader: {
        authAmt: !approved
          ? { ...authReqAmt, amount: 0 }
          : decision.partial
            ? {
                currency: decision.partial.currency,
                amount: decision.hold,
                amtExp10: -decision.partial.exponent,
              }
            : authReqAmt,
        authCode: decision.authCode,
        responseData: {
          ...(decision.approvalCode ? { authValCodes: { approvalCode: decision.approvalCode } } : {}),
          ...(decision.respReason ? { respReason: decision.respReason } : {}),
        },
      },
    },
  };
}

/** The gateway keeps capture state itself: an approval carries CapToken "none". */
export function authResBaggageFor(decision: AuthDecision): schema.AuthResBaggage {
  return decision.authCode === "approved" ? { capToken: { type: "none", value: null } } : {};
}
