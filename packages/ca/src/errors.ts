/**
 * Typed refusals of the CA. `code` is stable for the CLI and server to map (to an exit status, an
 * HTTP status, a SET ErrorCode in CertRes later); messages never carry a PAN or a secret.
 */
export const caErrorCodes = [
  /** The request is malformed: missing or conflicting fields, an unusable key, a bad PKCS#10. */
  "badRequest",
  /** This CA may not issue that profile, or the profile's required data is missing or misplaced. */
  "profileNotAllowed",
  /** The CA has certified this public key before. */
  "duplicateKey",
  /** The card has expired, or the requested validity ends before it starts. */
  "expired",
  /** No certificate of this CA has that serial. */
  "unknownSerial",
  "alreadyRevoked",
  /** The store could not record what was asked; nothing was handed out. */
  "storeFailure",
] as const;
export type CaErrorCode = (typeof caErrorCodes)[number];

export class CaError extends Error {
  override readonly name = "CaError";
  constructor(
    readonly code: CaErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
