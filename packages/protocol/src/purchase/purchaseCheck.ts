/**
 * Typed failures of the purchase-request checks. Each check has a name (what failed, for code and
 * tests) and the SET ErrorCode it maps to on the wire.
 */
import { type ErrorCode, SetError } from "../errors";

export const purchaseChecks = {
  /** The unsigned form arrived where policy or the brand requires a cardholder certificate. */
  signatureRequired: "signatureRequired",
  /** OIData.TransIDs.XID is not the XID the merchant issued (or AuthTags carries). */
  xidMismatch: "unknownXID",
  /** LID-C or LID-M differ from the ones issued. */
  lidMismatch: "unknownLID",
  /** Another TransIDs field (PReqDate, language, PaySysID) differs from the protected copy. */
  transIDsMismatch: "wrapperMsgMismatch",
  /** OIData.Chall-M is not the challenge the merchant sent in PInitRes. */
  challengeMismatch: "challengeMismatch",
  /** BrandID or BIN differ from what PInitReq announced. */
  brandMismatch: "unspecifiedFailure",
  /** HOD does not digest this merchant's order description and amount with the cardholder's ODSalt. */
  hodMismatch: "signatureFailure",
  /** The dual signature does not verify over {DD(PIData), DD(OIData)}. */
  piSignatureInvalid: "signatureFailure",
  /** The cardholder certificate is not a valid SET cardholder signature certificate. */
  cardholderCertificate: "invalidCertificate",
  /** The merchant's CheckDigests.HOIData differs from the HOIData the cardholder put in PI-OILink. */
  hOIDataMismatch: "signatureFailure",
  /** PIHead.MerchantID is not the merID of the merchant that asked for authorization. */
  merchantIDMismatch: "unspecifiedFailure",
  /** The amount asked for exceeds PIHead.Inputs.PurchAmt, or is in another currency. */
  amountMismatch: "unspecifiedFailure",
  /** Hardened profile: the certificates named under the dual signature are not the ones in use. */
  profileBindingMismatch: "thumbsMismatch",
  /** OIData and PIHead disagree as the cardholder built them (a builder-side guard). */
  inconsistentInputs: "unspecifiedFailure",
} as const satisfies Record<string, ErrorCode>;

export type PurchaseCheck = keyof typeof purchaseChecks;

export class PurchaseCheckError extends SetError {
  override readonly name = "PurchaseCheckError";
  constructor(
    readonly check: PurchaseCheck,
    message: string,
    cause?: SetError,
  ) {
    super(
      cause && check === "cardholderCertificate" ? cause.code : purchaseChecks[check],
      message,
      check,
      cause?.oid,
      cause?.thumb,
    );
  }
}

/** Run `step`; turn any SetError it throws into the named purchase check, keeping its code where it is more precise. */
export async function asCheck<T>(check: PurchaseCheck, step: () => Promise<T> | T): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof PurchaseCheckError) throw e;
    if (e instanceof SetError) throw new PurchaseCheckError(check, e.message, e);
    throw e;
  }
}
