/**
 * The SET Error message (module section "error", digest 3.8): what a receiver sends back when a
 * message fails on syntax, crypto or protocol grounds. Business declines travel in the normal
 * response (AuthCode, CompletionCode), never here.
 */
import type { Infer } from "../asn1/codec";
import { choice, explicit, implicit, named, optional, sequence } from "../asn1/constructed";
import { enumerated, octets, oid } from "../asn1/primitives";
import { ErrorCodes } from "../errors";
import { CertThumb, Nonce, SignedMessage } from "./common";
import { MessageHeader } from "./header";

/** The numbers live in errors.ts alone; the module's ENUMERATED is checked against them in tests. */
export const ErrorCode = named("ErrorCode", enumerated(ErrorCodes));

/** SET caps the quoted offending message at 20 000 octets. */
export const ubBadWrapper = 20000;

/** What the error is about: the offending message's header, or as much of its raw bytes as fit. */
export const ErrorMsg = named(
  "ErrorMsg",
  choice({
    messageHeader: explicit(0, MessageHeader),
    badWrapper: implicit(1, octets({ min: 1, max: ubBadWrapper })),
  }),
);
export type ErrorMsg = Infer<typeof ErrorMsg>;

/**
 * errorNonce makes a signed error unpredictable; errorOID names the unsupported critical
 * extension; errorThumb names the offending certificate. errorMsg carries [2] EXPLICIT because
 * ErrorMsg's own [0]/[1] would collide with the optional errorOID/errorThumb before it.
 */
export const ErrorTBS = named(
  "ErrorTBS",
  sequence({
    errorCode: ErrorCode,
    errorNonce: Nonce,
    errorOID: optional(implicit(0, oid())),
    errorThumb: optional(implicit(1, CertThumb)),
    errorMsg: explicit(2, ErrorMsg),
  }),
);
export type ErrorTBS = Infer<typeof ErrorTBS>;

/**
 * SET's Error (the TypeScript name avoids shadowing the global Error). Signed, S{EE, ErrorTBS}
 * with content type setct-ErrorTBS, when the sender has a signature certificate.
 */
export const ErrorMessage = named(
  "Error",
  choice({
    signedError: explicit(0, SignedMessage),
    unsignedError: explicit(1, ErrorTBS),
  }),
);
export type ErrorMessage = Infer<typeof ErrorMessage>;
