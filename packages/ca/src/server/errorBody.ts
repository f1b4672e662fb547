/**
 * How CA refusals travel over HTTP: a SET ErrorCode in a JSON body, with the HTTP status carrying
 * only what HTTP can say (not found, conflict, too large, wrong type). The registration protocols
 * of a later issue will put the same codes into SET Error messages.
 */
import { type ErrorCode, SetError } from "@setlab/protocol";
import { CaError, type CaErrorReason } from "../errors";

export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
}

/** The CA's reason decides the HTTP status; the SET code is the error's own. */
const statusOfCaReason: Record<CaErrorReason, number> = {
  badRequest: 400,
  profileNotAllowed: 400,
  unauthorized: 401,
  entityExists: 409,
  duplicateKey: 409,
  expired: 400,
  unknownSerial: 404,
  alreadyRevoked: 409,
  storeFailure: 500,
};

const statusOfSetCode: Partial<Record<ErrorCode, number>> = {
  missingCertificate: 404,
  messageTooBig: 413,
  messageNotSupported: 415,
};

/** The status and body for a thrown error, or undefined when it is not a typed CA/SET refusal. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } | undefined {
  if (!(error instanceof SetError)) return undefined;
  // SetError's message starts with its code, which the body already carries.
  const message = error.message.startsWith(`${error.code}: `)
    ? error.message.slice(error.code.length + 2)
    : error.message;
  const status =
    error instanceof CaError ? statusOfCaReason[error.reason] : (statusOfSetCode[error.code] ?? 400);
  return { status, body: { code: error.code, message } };
}
