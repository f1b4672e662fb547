/**
 * What an AuthToken allows (digest 3.5, AuthTokenData; 6, "Gateway": "AuthReqAmt must fit
 * PIHead.Inputs.PurchAmt, <= for split shipment, within installment/recurring limits"). DECISION:
 * - split shipment (no InstallRecurData; the first AuthReq sets SubsequentAuthInd): the
 *   authorizations of the purchase add up to at most PurchAmt; a token is issued while some of it
 *   remains;
 * - installments (installTotalTrans N): N authorizations in all, each of at most PurchAmt;
 * - recurring (recurringFrequency days, recurringExpiry): one authorization of at most PurchAmt
 *   per period, none before prevAuthDateTime + frequency, none after the expiry.
 * recurringCount counts the purchase's approved authorizations so far (the first is 1), for every
 * kind; totalAuthAmount adds up their AuthAmt; prevAuthDateTime is the last one's time.
 */

import { encodeDer } from "../asn1/codec";
import { toMinorUnits } from "../money/amount";
import type { CurrencyAmount, TransIDs } from "../schema/common";
import type { AuthCode, AuthTokenData } from "../schema/payment";
import { InstallRecurData } from "../schema/purchase";
import { wholeSeconds } from "../wholeSeconds";

const dayMs = 24 * 3600_000;

export type AuthTokenTerms = Omit<AuthTokenData, "authTokenOpaque">;

/** Minor units of an amount known to be valid (0 for anything else). */
function minor(amt: CurrencyAmount): bigint {
  const m = toMinorUnits(amt);
  return m.ok ? m.minor : 0n;
}

const inMinor = (like: CurrencyAmount, value: bigint): CurrencyAmount => {
  const m = toMinorUnits(like);
  const exponent = m.ok ? m.currency.exponent : -like.amtExp10;
  return { currency: like.currency, amount: Number(value), amtExp10: -exponent };
};

/** Whether one more authorization may follow the `count` made so far, the last at `last`. */
function anotherAllowed(
  terms: InstallRecurData | undefined,
  count: number,
  remaining: bigint,
  last: Date,
): boolean {
  if (count >= 999) return false;
  if (!terms) return remaining > 0n;
  const ind = terms.installRecurInd;
  if (ind.type === "installTotalTrans") return count < ind.value;
  return last.getTime() + ind.value.recurringFrequency * dayMs <= ind.value.recurringExpiry.getTime();
}

export interface FirstAuthorization {
  readonly transIDs: TransIDs;
  /** PIHead.Inputs.PurchAmt, as the cardholder signed it. */
  readonly purchAmt: CurrencyAmount;
  readonly merchantID: string;
  /** PIHead.InstallRecurData, as the cardholder signed it. */
  readonly terms?: InstallRecurData;
  /** The merchant asked for later authorizations (AuthReqPayload.subsequentAuthInd). */
  readonly subsequentAuthInd: boolean;
  /** The AuthAmt approved. */
  readonly authAmt: CurrencyAmount;
  readonly at: Date;
}

/**
 * The AuthToken's data after a purchase's first approved authorization, or undefined when nothing
 * may follow it (no terms and no SubsequentAuthInd, everything authorized, one installment left).
 */
export function firstAuthTokenTerms(a: FirstAuthorization): AuthTokenTerms | undefined {
  if (!a.terms && !a.subsequentAuthInd) return undefined;
  const total = minor(a.authAmt);
  const at = wholeSeconds(a.at);
  if (!anotherAllowed(a.terms, 1, minor(a.purchAmt) - total, at)) return undefined;
  return {
    transIDs: a.transIDs,
    purchAmt: a.purchAmt,
    merchantID: a.merchantID,
    ...(a.terms ? { installRecurData: encodeDer(InstallRecurData, a.terms) } : {}),
    recurringCount: 1,
    prevAuthDateTime: at,
    totalAuthAmount: inMinor(a.purchAmt, total),
  };
}

/** The next AuthToken's data after an approved authorization made with `prev`, or undefined. */
export function nextAuthTokenTerms(
  prev: AuthTokenData,
  terms: InstallRecurData | undefined,
  authAmt: CurrencyAmount,
  at: Date,
): AuthTokenTerms | undefined {
  const count = (prev.recurringCount ?? 1) + 1;
  const total = minor(prev.totalAuthAmount) + minor(authAmt);
  const when = wholeSeconds(at);
  if (!anotherAllowed(terms, count, minor(prev.purchAmt) - total, when)) return undefined;
  const { authTokenOpaque: _, ...kept } = prev;
  return {
    ...kept,
    recurringCount: count,
    prevAuthDateTime: when,
    totalAuthAmount: inMinor(prev.purchAmt, total),
  };
}

export interface ScheduleRefusal {
  readonly authCode: Extract<AuthCode, "authTokenRejected" | "amountError">;
  readonly reason: string;
}

/**
 * Whether the authorization asked for now fits what the token allows: the amount in the
 * purchase's currency, a whole number of its minor units, at most what remains (split shipment)
 * or PurchAmt (installments, recurring) (amountError); the installment count not used up, a
 * recurring payment not before its period nor after the expiry, InstallRecurSeqNum (when given)
 * the next one (authTokenRejected).
 */
export function judgeSchedule(
  token: AuthTokenData,
  terms: InstallRecurData | undefined,
  asked: CurrencyAmount,
  installRecurSeqNum: number | undefined,
  at: Date,
): ScheduleRefusal | undefined {
  const count = token.recurringCount ?? 1;
  const remaining = minor(token.purchAmt) - minor(token.totalAuthAmount);
  const rejected = (reason: string): ScheduleRefusal => ({ authCode: "authTokenRejected", reason });
  if (!terms && remaining <= 0n) return rejected("the AuthToken's purchase amount is all authorized");
  if (terms?.installRecurInd.type === "installTotalTrans" && count >= terms.installRecurInd.value)
    return rejected(`all ${terms.installRecurInd.value} installments are authorized`);
  if (terms?.installRecurInd.type === "recurring") {
    const { recurringFrequency, recurringExpiry } = terms.installRecurInd.value;
    if (at.getTime() > recurringExpiry.getTime()) return rejected("the recurring terms have expired");
    if (at.getTime() < token.prevAuthDateTime.getTime() + recurringFrequency * dayMs)
      return rejected(`a recurring payment comes once every ${recurringFrequency} days`);
  }
  if (installRecurSeqNum !== undefined && installRecurSeqNum !== count + 1)
    return rejected(`InstallRecurSeqNum ${installRecurSeqNum} is not the next payment (${count + 1})`);
  const got = toMinorUnits(asked);
  const purchase = toMinorUnits(token.purchAmt);
  if (!got.ok) return { authCode: "amountError", reason: `AuthReqAmt refused: ${got.reason}` };
  if (!purchase.ok || got.currency.code !== purchase.currency.code)
    return { authCode: "amountError", reason: "AuthReqAmt is in another currency than the purchase" };
  const limit = terms ? purchase.minor : remaining;
  if (got.minor > limit)
    return {
      authCode: "amountError",
      reason: terms
        ? "AuthReqAmt is over the PurchAmt of one payment"
        : "AuthReqAmt is over what remains of the purchase",
    };
  return undefined;
}
