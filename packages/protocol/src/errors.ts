/**
 * SET ErrorCode (ErrorTBS.errorCode) and the typed error every check throws.
 *
 * Project decision (digest 3.8: only the first five names are confirmed in order): the codes are
 * numbered from 1 in the order below, and the module `SetLab.asn` carries the same numbers.
 */
export const ErrorCodes = {
  unspecifiedFailure: 1,
  messageNotSupported: 2,
  decodingFailure: 3,
  invalidCertificate: 4,
  expiredCertificate: 5,
  revokedCertificate: 6,
  missingCertificate: 7,
  signatureFailure: 8,
  badMessageHeader: 9,
  wrapperMsgMismatch: 10,
  versionTooOld: 11,
  versionTooNew: 12,
  unrecognizedExtension: 13,
  messageTooBig: 14,
  signatureRequired: 15,
  messageTooOld: 16,
  messageTooNew: 17,
  thumbsMismatch: 18,
  unknownRRPID: 19,
  unknownXID: 20,
  unknownLID: 21,
  challengeMismatch: 22,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** A failure that maps one-to-one to a SET Error message on the wire. Never carries a secret. */
export class SetError extends Error {
  override readonly name: string = "SetError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Where the failure was found: an ASN.1 path such as `PInitReq.rrpid`, or a check name. */
    readonly where?: string,
    /** For unrecognizedExtension: the offending extension's OID (ErrorTBS.errorOID). */
    readonly oid?: string,
    /**
     * For certificate and signature failures: the thumbprint (SHA-256 over the TBSCertificate) of
     * the offending certificate (ErrorTBS.errorThumb).
     */
    readonly thumb?: Uint8Array,
  ) {
    super(where ? `${code}: ${message} (at ${where})` : `${code}: ${message}`);
  }
}

/** A strict-DER decode failure: `decodingFailure` unless a more precise code applies. */
export class DecodeError extends SetError {
  override readonly name = "DecodeError";
}

/**
 * `e`, naming `thumb` as the offending certificate (ErrorTBS.errorThumb) unless it already names
 * one. The error is the receiver's own, about to be thrown: it is completed in place so that its
 * class and stack stay as they were.
 */
export function namingCertificate<E extends SetError>(e: E, thumb: Uint8Array | undefined): E {
  if (thumb !== undefined && e.thumb === undefined)
    Object.defineProperty(e, "thumb", { value: new Uint8Array(thumb), enumerable: true });
  return e;
}
