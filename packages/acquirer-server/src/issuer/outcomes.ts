/**
 * The issuer simulator's deterministic answers (see the package README's table). Each test card's
 * outcome comes from the lab PKI's cards.json; the simulator turns it into SET's AuthCode and
 * RespReason. Business declines are AuthRes values, never SET Errors.
 */
import type { schema } from "@setlab/protocol";

export type AuthCode = schema.AuthHeader["authCode"];
export type RespReason = NonNullable<schema.AuthHeader["responseData"]["respReason"]>;

export const testCardOutcomes = [
  "approve",
  "approvePartial",
  "insufficientFunds",
  "expiredCard",
  "lostOrStolen",
  "callIssuer",
  "issuerUnavailable",
] as const;
export type TestCardOutcome = (typeof testCardOutcomes)[number];

export const isTestCardOutcome = (s: string): s is TestCardOutcome =>
  (testCardOutcomes as readonly string[]).includes(s);

/** The credit limit each simulated account starts with, in minor units of the account's currency. */
export const defaultCreditLimit = 1_000_000;

/** The test accounts' currency: JPY (ISO 4217 392), so their limit is 1 000 000 yen. */
export const defaultAccountCurrency = 392;

/** What every outcome other than the approving ones answers, whatever the amount. */
export const declineOf: Record<
  Exclude<TestCardOutcome, "approve" | "approvePartial">,
  { authCode: AuthCode; respReason: RespReason }
> = {
  insufficientFunds: { authCode: "declined", respReason: "issuer" },
  expiredCard: { authCode: "expiredCard", respReason: "issuer" },
  // A lost or stolen card is a plain decline: "call issuer" would invite a voice authorization.
  lostOrStolen: { authCode: "declined", respReason: "issuer" },
  callIssuer: { authCode: "callIssuer", respReason: "issuer" },
  // The gateway stands in for an issuer that does not answer.
  issuerUnavailable: { authCode: "noReply", respReason: "standInIssuerUnavailable" },
};
