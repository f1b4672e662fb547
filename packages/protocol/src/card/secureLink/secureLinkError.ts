/**
 * A failure of the secure card link: the handshake, the pairing or a record. The link is dead
 * after any of them; the message is one line and never carries key material or the code.
 */
export type SecureLinkFailure =
  /** A handshake message that is malformed, unexpected or out of order. */
  | "handshake"
  /** A pairing commitment or a key confirmation that does not match: wrong code or a man in the middle. */
  | "pairing"
  /** The phone refuses to pair for now (too many failed pairings). */
  | "locked"
  /** A record that fails to open: replayed, reordered, truncated or modified. */
  | "record"
  /** The session was already dead when used. */
  | "closed";

export class SecureLinkError extends Error {
  override readonly name = "SecureLinkError";
  constructor(
    readonly kind: SecureLinkFailure,
    message: string,
  ) {
    super(message);
  }
}
