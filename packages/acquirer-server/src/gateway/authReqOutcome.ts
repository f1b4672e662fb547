/**
 * What happened to one AuthReq, for the shell's log, and the ids that name the request in it.
 * Never carries a PAN.
 */
import { type ErrorCode, type schema, toHex } from "@setlab/protocol";

export interface AuthReqOutcome {
  /** The bytes to answer with; empty when the request was an Error (never answered). */
  readonly response: Uint8Array;
  readonly kind: "authRes" | "replay" | "error" | "dropped";
  readonly xid?: string;
  readonly authRRPID?: string;
  readonly brand?: string;
  readonly merchantID?: string;
  readonly authCode?: string;
  readonly errorCode?: ErrorCode;
  /** A short reason: the issuer's, or the failure's message. */
  readonly reason?: string;
  /** Set when an unexpected exception (not a SetError) was turned into unspecifiedFailure. */
  readonly internal?: boolean;
}

export type AuthReqIds = Pick<AuthReqOutcome, "xid" | "authRRPID" | "brand" | "merchantID">;

/** The XID and RRPID a header states, for the log of a request refused before its body was read. */
export function idsOfHeader(header: schema.MessageHeader): AuthReqIds {
  const xid = header.messageIDs?.xid;
  return { ...(xid ? { xid: toHex(xid) } : {}), ...(header.rrpid ? { authRRPID: toHex(header.rrpid) } : {}) };
}

/** The ids of an opened AuthReq: its AuthTags, the brand it was sealed for, the signing merchant. */
export function idsOfAuthTags(
  tags: schema.AuthTags,
  brand: string,
  merchantID: string,
): Required<AuthReqIds> {
  return {
    xid: toHex(tags.transIDs.xid),
    authRRPID: toHex(tags.authRRTags.rrpid),
    brand,
    merchantID,
  };
}
