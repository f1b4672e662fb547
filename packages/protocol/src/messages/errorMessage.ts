/**
 * The SET Error message (digest 3.8): built for a failure and the offending bytes, read when a
 * peer sends one. An Error is never answered with an Error (`isErrorMessage`).
 */
import { decodeDer, encodeDer, nodeBytes, nodeChildren, nodeTag, parseOne } from "../asn1/codec";
import { readDerShallow } from "../asn1/der";
import { context } from "../asn1/tlv";
import type { CryptoProvider } from "../crypto/provider";
import { S, type Signer, verifyS } from "../crypto/signedMessage";
import { type ErrorCode, ErrorCodes, SetError } from "../errors";
import { SignedData } from "../schema/cms";
import { ContentInfo } from "../schema/common";
import {
  type ErrorMessage as ErrorMessageValue,
  type ErrorMsg,
  ErrorTBS,
  ubBadWrapper,
} from "../schema/error";
import { MessageHeader } from "../schema/header";
import { ContentType, Std } from "../schema/oids";
import { type ErrorSigners, errorSignerRefusal } from "./errorSigner";
import { defaultSwIdent, type WrapperIds, wholeSeconds, wrapMessage } from "./wrapper";

/** The tag of Error in the Message CHOICE. */
const errorTag = context(999);

/** The offending message's header, when its bytes start like a MessageWrapper whose header decodes. */
function offendingHeader(offending: Uint8Array): MessageHeader | undefined {
  try {
    const first = nodeChildren(parseOne(offending, "MessageWrapper"))[0];
    return first ? decodeDer(MessageHeader, nodeBytes(first), "MessageWrapper.messageHeader") : undefined;
  } catch {
    return undefined;
  }
}

/**
 * ErrorMsg: the offending header, else its first 20 000 bytes. BadWrapper is OCTET STRING
 * (SIZE(1..20000)), so an empty offending message is quoted as one zero byte.
 */
function errorMsgOf(offending: Uint8Array, header: MessageHeader | undefined): ErrorMsg {
  if (header) return { type: "messageHeader", value: header };
  const quoted = offending.length === 0 ? Uint8Array.of(0) : offending.slice(0, ubBadWrapper);
  return { type: "badWrapper", value: quoted };
}

/**
 * ErrorTBS DER; the errorOID is dropped if it is not a valid OID, the errorThumb if it is not a
 * SHA-256 thumbprint, the header quoted raw if it does not re-encode.
 */
function errorTbsDer(
  code: ErrorCode,
  errorNonce: Uint8Array,
  failure: SetError,
  offending: Uint8Array,
  header: MessageHeader | undefined,
): Uint8Array {
  const { oid, thumb } = failure;
  const attempts: [MessageHeader | undefined, string | undefined, Uint8Array | undefined][] = [
    [header, oid, thumb],
    [header, undefined, undefined],
    [undefined, undefined, undefined],
  ];
  let last: unknown;
  for (const [h, o, t] of attempts) {
    try {
      return encodeDer(ErrorTBS, {
        errorCode: code,
        errorNonce,
        ...(o !== undefined ? { errorOID: o } : {}),
        ...(t !== undefined
          ? { errorThumb: { digestAlgorithm: { algorithm: Std.sha256 }, thumbprint: t } }
          : {}),
        errorMsg: errorMsgOf(offending, h),
      });
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

const idsOf = (header: MessageHeader | undefined): WrapperIds => ({
  rrpid: header?.rrpid,
  lid_C: header?.messageIDs?.lid_C,
  lid_M: header?.messageIDs?.lid_M,
  xid: header?.messageIDs?.xid,
});

/**
 * A SET Error message (MessageWrapper DER) answering `offending`: ErrorMsg = the offending
 * message's MessageHeader when it decodes, else its first 20 000 bytes as badWrapper (one zero
 * byte for an empty message). errorOID from failure.oid, errorThumb from failure.thumb. Unsigned unless options.signer (then
 * S(EE, ErrorTBS), content type ErrorTBS; should signing fail, the Error goes out unsigned). Fresh
 * errorNonce from p.random(20). The wrapper header copies the offending header's RRPID and
 * MessageIDs when they are available; its date is options.date or p.now(). Never throws for any
 * `offending` bytes.
 */
export async function errorMessage(
  p: CryptoProvider,
  failure: SetError,
  offending: Uint8Array,
  options: { signer?: Signer; date?: Date } = {},
): Promise<Uint8Array> {
  const bytes = new Uint8Array(offending);
  const header = offendingHeader(bytes);
  const code: ErrorCode = failure.code in ErrorCodes ? failure.code : "unspecifiedFailure";
  const tbs = errorTbsDer(code, p.random(20), failure, bytes, header);
  let message: ErrorMessageValue = { type: "unsignedError", value: decodeDer(ErrorTBS, tbs) };
  if (options.signer) {
    try {
      message = { type: "signedError", value: await S(p, options.signer, ContentType.ErrorTBS, tbs) };
    } catch {
      // An Error that cannot be signed still goes out, unsigned.
    }
  }
  const date = wholeSeconds(options.date ?? p.now());
  const ids = idsOf(header);
  try {
    return wrapMessage({ type: "error", value: message }, ids, { date, swIdent: defaultSwIdent });
  } catch {
    // Header ids that do not re-encode are left out rather than failing the Error.
    return wrapMessage({ type: "error", value: message }, {}, { date, swIdent: defaultSwIdent });
  }
}

/** The eContent of a SignedData, without verifying anything. */
function unverifiedContent(signed: Uint8Array): Uint8Array {
  const info = decodeDer(ContentInfo, signed, "SignedError");
  if (info.contentType !== Std.signedData)
    throw new SetError("decodingFailure", "not a SignedData", "SignedError");
  const { eContentType, eContent } = decodeDer(SignedData, info.content, "SignedError").encapContentInfo;
  if (eContentType !== ContentType.ErrorTBS || !eContent)
    throw new SetError("decodingFailure", "signed content is not an ErrorTBS", "SignedError");
  return eContent;
}

export interface ReadError {
  readonly code: ErrorCode;
  /**
   * True when the Error was signed and its signature verifies and, when the reader named its
   * `signers`, the signer's certificate is one of them.
   */
  readonly signed: boolean;
  readonly oid?: string;
  /** The thumbprint of the certificate the Error names (errorThumb). */
  readonly thumb?: Uint8Array;
  /**
   * A signature that verifies, by a certificate that is not one of `signers`: the code of the
   * check it failed. The Error then reads as unsigned.
   */
  readonly signerRefused?: ErrorCode;
}

const detailsOf = (tbs: ErrorTBS) => ({
  ...(tbs.errorOID ? { oid: tbs.errorOID } : {}),
  ...(tbs.errorThumb ? { thumb: tbs.errorThumb.thumbprint } : {}),
});

/**
 * The error a received Error message reports. A SignedError's content is read whether or not its
 * signature verifies (the code is reported either way: anyone can send the same code unsigned);
 * `signed` is true only when it verifies and, given `signers`, the signer's certificate chains to
 * the reader's trust in one of their roles, unrevoked (else `signerRefused` says why). Without
 * `signers`, `signed` says only that the signature verifies: a party that acts on it passes them
 * (receiveError, and the receive functions for an Error in place of their answer).
 * Throws decodingFailure when the content is not an ErrorTBS.
 */
export async function readError(
  p: CryptoProvider,
  message: ErrorMessageValue,
  signers?: ErrorSigners,
): Promise<ReadError> {
  if (message.type === "unsignedError") {
    const tbs = message.value;
    return { code: tbs.errorCode, signed: false, ...detailsOf(tbs) };
  }
  let content: Uint8Array;
  let signed = false;
  let signerRefused: ErrorCode | undefined;
  try {
    const verified = await verifyS(p, message.value, { contentType: ContentType.ErrorTBS });
    content = verified.content;
    signerRefused = signers && (await errorSignerRefusal(p, verified, signers));
    signed = signerRefused === undefined;
  } catch {
    try {
      content = unverifiedContent(message.value);
    } catch (e) {
      if (e instanceof SetError) throw e;
      throw new SetError("decodingFailure", "unreadable SignedError", "SignedError");
    }
  }
  const tbs = decodeDer(ErrorTBS, content, "ErrorTBS");
  return { code: tbs.errorCode, signed, ...detailsOf(tbs), ...(signerRefused ? { signerRefused } : {}) };
}

/**
 * True when `bytes` is (or looks like) a SET Error wrapper: any DER SEQUENCE whose second element
 * is [0] holding a [999] value, the Error alternative of the Message CHOICE. A wrapper that
 * decodes as an Error has that shape and one that decodes as another message has not, so the
 * shape is all that is read, the wrapper's and the message's headers: no body is walked or
 * decoded twice (its receiver decodes it anyway). Used so that an Error is never answered with an
 * Error. Never throws.
 */
export function isErrorMessage(bytes: Uint8Array): boolean {
  try {
    // Headers only, on the caller's bytes: nothing is kept, so nothing needs a copy or a walk.
    const message = nodeChildren(readDerShallow(bytes, "MessageWrapper"))[1];
    if (!message || nodeTag(message) !== context(0)) return false;
    const inner = nodeChildren(message)[0];
    return inner !== undefined && nodeTag(inner) === errorTag;
  } catch {
    return false;
  }
}

/** A peer's Error message, as a throwable: `code` is the ErrorCode the peer reported. */
export class RemoteSetError extends SetError {
  override readonly name = "RemoteSetError";
  constructor(
    code: ErrorCode,
    message = "the peer answered with a SET Error",
    oid?: string,
    /** True when the peer's Error was signed and its signature verified. */
    readonly signed = false,
    thumb?: Uint8Array,
  ) {
    super(code, message, "Error", oid, thumb);
  }
}
