/**
 * Whether a status the merchant reports for a purchase (PRes or InqRes payloads) can be this
 * purchase's: the amounts it states are in the purchase's currency and within its amount, a
 * capture within the authorization, each credit within the purchase, and each CompletionCode comes
 * with the status it reports.
 * A merchant (or anyone splicing a signed answer) cannot show the buyer an authorization of
 * another purchase's amount.
 */
import { SetError } from "../errors";
import { toMinorUnits } from "../money/amount";
import type { CurrencyAmount } from "../schema/common";
import type { PResPayload } from "../schema/purchase";

function minor(amount: CurrencyAmount, purchAmt: CurrencyAmount, where: string): bigint {
  const got = toMinorUnits(amount);
  const of = toMinorUnits(purchAmt);
  if (!got.ok || !of.ok || got.currency.code !== of.currency.code)
    throw new SetError("unspecifiedFailure", `${where} is not in the purchase's currency`, where);
  if (got.minor > of.minor)
    throw new SetError("unspecifiedFailure", `${where} exceeds the purchase amount`, where);
  return got.minor;
}

export function checkStatusOfPurchase(payloads: readonly PResPayload[], purchAmt: CurrencyAmount): void {
  for (const payload of payloads) {
    const results = payload.results;
    const auth = results?.authStatus && minor(results.authStatus.authAmt, purchAmt, "AuthStatus.authAmt");
    const cap = results?.capStatus && minor(results.capStatus.capAmt, purchAmt, "CapStatus.capAmt");
    const credits = (results?.credStatusSeq ?? []).map((c) =>
      minor(c.creditAmt, purchAmt, "CredStatus.creditAmt"),
    );
    if (auth !== undefined && cap !== undefined && cap > auth)
      throw new SetError("unspecifiedFailure", "the capture exceeds the authorization", "CapStatus.capAmt");
    const needs =
      payload.completionCode === "authorizationPerformed"
        ? auth
        : payload.completionCode === "capturePerformed"
          ? cap
          : payload.completionCode === "creditPerformed"
            ? credits[0]
            : 0n;
    if (needs === undefined)
      throw new SetError(
        "unspecifiedFailure",
        `${payload.completionCode} without the status it reports`,
        "PResPayload.results",
      );
  }
}
