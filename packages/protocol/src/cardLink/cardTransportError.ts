/** How the card link failed, as its PC end reports it (docs/card-link.md). */
import type { SecureLinkFailure } from "../card";

export type CardTransportFailure =
  | "unreachable"
  | "timeout"
  | "closed"
  | "busy"
  | "protocol"
  /** The pairing or resumption failed: wrong code or link key, a man in the middle, or the phone's lockout. */
  | "pairing"
  /** The phone holds no such bond (revoked, expired) and there is no code to pair again with. */
  | "unbonded";

/** A failure of the link itself (not a status word): one line, never carrying command data. */
export class CardTransportError extends Error {
  override readonly name = "CardTransportError";
  constructor(
    readonly kind: CardTransportFailure,
    message: string,
    /** For a failed pairing or resumption: what the secure link said ("pairing", "locked", ...). */
    readonly link?: SecureLinkFailure,
  ) {
    super(message);
  }
}
