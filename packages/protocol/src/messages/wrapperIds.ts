/**
 * Digest 6 rule 2, header against body: the MessageHeader sits outside every signature and
 * envelope, so each identifier it states must equal its protected copy inside the body
 * (wrapperMsgMismatch). Called by the receive functions only.
 */
import { bytesEqual } from "../asn1/tlv";
import { SetError } from "../errors";
import type { TransIDs } from "../schema/common";
import type { MessageHeader } from "../schema/header";

/** The identifiers a message body carries under its signature or envelope. */
export interface ProtectedIds {
  readonly rrpid?: Uint8Array;
  readonly lid_C?: Uint8Array;
  readonly lid_M?: Uint8Array;
  readonly xid?: Uint8Array;
}

/** The protected identifiers of a body that holds TransIDs and an RRPID (OIData, PInitResData, ...). */
export function protectedIdsOf(transIDs: TransIDs, rrpid?: Uint8Array): ProtectedIds {
  return { rrpid, lid_C: transIDs.lid_C, lid_M: transIDs.lid_M, xid: transIDs.xid };
}

/**
 * Digest section 6 rule 2: every identifier the header states must equal its protected copy in
 * the body. A header may leave an identifier out; it may not state one the body lacks, since
 * nothing would then vouch for it.
 */
export function checkWrapperIds(header: MessageHeader, body: ProtectedIds): void {
  const stated: [keyof ProtectedIds, Uint8Array | undefined, string][] = [
    ["rrpid", header.rrpid, "MessageHeader.rrpid"],
    ["lid_C", header.messageIDs?.lid_C, "MessageHeader.messageIDs.lid-C"],
    ["lid_M", header.messageIDs?.lid_M, "MessageHeader.messageIDs.lid-M"],
    ["xid", header.messageIDs?.xid, "MessageHeader.messageIDs.xid"],
  ];
  for (const [key, value, where] of stated) {
    if (value === undefined) continue;
    const inside = body[key];
    if (inside === undefined)
      throw new SetError("wrapperMsgMismatch", `header states ${key} but the body carries none`, where);
    if (!bytesEqual(value, inside))
      throw new SetError("wrapperMsgMismatch", `header ${key} differs from the body's`, where);
  }
}
