/**
 * MessageHeader and MessageIDs (module section "wrapper"). They sit outside every signature and
 * envelope: a routing and de-duplication hint that the receive functions check against the
 * protected copies in the body (messages/wrapperIds.ts). Kept apart from message.ts because the Error body quotes a
 * MessageHeader, and the Message CHOICE in turn carries Error.
 */
import type { Infer } from "../asn1/codec";
import { implicit, named, optional, sequence, withDefault } from "../asn1/constructed";
import { integer } from "../asn1/primitives";
import { SetError } from "../errors";
import { LocalID, RRPID, SETDate, SWIdent, XID } from "./common";

export const MessageIDs = named(
  "MessageIDs",
  sequence({
    lid_C: optional(implicit(0, LocalID)),
    lid_M: optional(implicit(1, LocalID)),
    xid: optional(implicit(2, XID)),
  }),
);
export type MessageIDs = Infer<typeof MessageIDs>;

/** SET 1.0 is version 1, revision 0. */
export const setVersion = { version: 1, revision: 0 } as const;

/**
 * The codec reads version and revision as any non-negative 32-bit INTEGER, wider than SET's
 * `(setVer1)`, so that a 1996 draft (version 0) or a later revision reaches `checkHeader` and is
 * answered with versionTooOld/versionTooNew rather than decodingFailure.
 */
const wideVersion = () => integer({ min: 0, max: 2 ** 31 - 1 });

export const MessageHeader = named(
  "MessageHeader",
  sequence({
    version: wideVersion(),
    revision: withDefault(wideVersion(), 0),
    date: SETDate,
    messageIDs: optional(implicit(0, MessageIDs)),
    rrpid: optional(implicit(1, RRPID)),
    swIdent: SWIdent,
  }),
);
export type MessageHeader = Infer<typeof MessageHeader>;

/** Digest section 6 rule 1: only SET 1.0 (version 1, revision 0) is spoken here. */
export function checkHeader(header: MessageHeader): void {
  const { version, revision } = header;
  if (version < setVersion.version)
    throw new SetError("versionTooOld", `version ${version} precedes SET 1.0`, "MessageHeader.version");
  if (version > setVersion.version)
    throw new SetError("versionTooNew", `version ${version} is newer than SET 1.0`, "MessageHeader.version");
  if (revision !== setVersion.revision)
    throw new SetError("versionTooNew", `revision ${revision} is newer than 0`, "MessageHeader.revision");
}
