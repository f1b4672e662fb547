/**
 * Typed refusals of the CA. A CaError is a SetError, so the server and CLI map it like any other
 * failure (`code` is the nearest SET ErrorCode); `reason` is the CA's own stable reason for the
 * finer mapping a registration response or an HTTP status needs. Messages never carry a PAN or a
 * secret.
 */
import { type ErrorCode, SetError } from "@setlab/protocol";

export const caErrorReasons = {
  /** The request is malformed: missing or conflicting fields, an unusable key, a bad PKCS#10. */
  badRequest: "unspecifiedFailure",
  /** This CA may not issue that profile, or the profile's required data is missing or misplaced. */
  profileNotAllowed: "unspecifiedFailure",
  /** The request carries no credential that allows it (the CA operator's token). */
  unauthorized: "unspecifiedFailure",
  /** The merID or merchant name belongs to an entity certified before (a new key needs approval). */
  entityExists: "unspecifiedFailure",
  /** The CA has certified this public key before. */
  duplicateKey: "unspecifiedFailure",
  /** The card has expired, or the requested validity ends before it starts. */
  expired: "unspecifiedFailure",
  /** No certificate of this CA has that serial. */
  unknownSerial: "missingCertificate",
  alreadyRevoked: "revokedCertificate",
  /** The store could not record what was asked; nothing was handed out. */
  storeFailure: "unspecifiedFailure",
} as const satisfies Record<string, ErrorCode>;
export type CaErrorReason = keyof typeof caErrorReasons;

export class CaError extends SetError {
  override readonly name = "CaError";
  constructor(
    readonly reason: CaErrorReason,
    message: string,
    /** A more precise SET ErrorCode than the reason's default (e.g. signatureFailure for a bad PKCS#10). */
    code: ErrorCode = caErrorReasons[reason],
  ) {
    super(code, `${reason}: ${message}`, "CA");
  }
}
