/**
 * MessageWrapper (digest 3.1): the header SET puts around every message. The header sits outside
 * every signature and envelope; the ids written here are the routing copies the receiver checks
 * against the protected ones in the body (`checkWrapperIds`).
 */
import type { Message } from "../schema/message";
import { encodeMessage, setVersion } from "../schema/message";
import { wholeSeconds } from "../wholeSeconds";

/** The identifiers a header may carry: RRPID and the MessageIDs (LID-C, LID-M, XID). */
export interface WrapperIds {
  readonly rrpid?: Uint8Array;
  readonly lid_C?: Uint8Array;
  readonly lid_M?: Uint8Array;
  readonly xid?: Uint8Array;
}

export interface WrapOptions {
  /** The header date; SET's Date is whole seconds, so milliseconds are dropped. */
  readonly date: Date;
  /** SWIdent; default `SETLab/0.1`. */
  readonly swIdent?: string;
}

export const defaultSwIdent = "SETLab/0.1";

export { wholeSeconds };

/** The MessageIDs of a header, or undefined when none of LID-C, LID-M, XID is given. */
export function messageIDsOf(ids: WrapperIds) {
  if (!ids.lid_C && !ids.lid_M && !ids.xid) return undefined;
  return {
    ...(ids.lid_C ? { lid_C: ids.lid_C } : {}),
    ...(ids.lid_M ? { lid_M: ids.lid_M } : {}),
    ...(ids.xid ? { xid: ids.xid } : {}),
  };
}

/** MessageWrapper DER: SET 1.0 header (version 1, revision 0) with `ids`, then `message`. */
export function wrapMessage(message: Message, ids: WrapperIds, options: WrapOptions): Uint8Array {
  const messageIDs = messageIDsOf(ids);
  return encodeMessage({
    messageHeader: {
      version: setVersion.version,
      revision: setVersion.revision,
      date: wholeSeconds(options.date),
      ...(messageIDs ? { messageIDs } : {}),
      ...(ids.rrpid ? { rrpid: ids.rrpid } : {}),
      swIdent: options.swIdent ?? defaultSwIdent,
    },
    message,
  });
}
