/**
 * The buyer's installment or recurring terms from the command line (`--installments N`,
 * `--recurring DAYS:YYYY-MM-DD`): SET's InstallRecurData, which the card signs in PIHead and
 * HODInput. The merchant's order must state the same terms, or its HOD check refuses the PReq.
 */
import { type schema, wholeSeconds } from "@setlab/protocol/relay";

export class TermsError extends Error {
  override readonly name = "TermsError";
}

export function installRecurTermsOf(
  installments: string | undefined,
  recurring: string | undefined,
): schema.InstallRecurData | undefined {
  if (installments !== undefined && recurring !== undefined)
    throw new TermsError("--installments and --recurring exclude each other");
  if (installments !== undefined) {
    const n = Number(installments);
    if (!/^[0-9]{1,3}$/.test(installments) || n < 2 || n > 999)
      throw new TermsError("--installments takes a count from 2 to 999");
    return { installRecurInd: { type: "installTotalTrans", value: n } };
  }
  if (recurring === undefined) return undefined;
  const m = /^([0-9]{1,3}):([0-9]{4}-[0-9]{2}-[0-9]{2})$/.exec(recurring);
  const days = Number(m?.[1]);
  const expiry = m ? new Date(`${m[2]}T23:59:59Z`) : new Date(Number.NaN);
  if (!m || days < 1 || days > 366 || Number.isNaN(expiry.getTime()))
    throw new TermsError("--recurring takes DAYS:YYYY-MM-DD (a period of 1 to 366 days and the last day)");
  return {
    installRecurInd: {
      type: "recurring",
      value: { recurringFrequency: days, recurringExpiry: wholeSeconds(expiry) },
    },
  };
}
