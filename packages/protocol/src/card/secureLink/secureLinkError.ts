/**
 * A failure of the secure card link: the handshake, the pairing, a resumption or a record. The
 * link is dead after any of them; the message is one line and never carries key material or the
 * code.
 */
export type SecureLinkFailure =
  /** A handshake message that is malformed, unexpected or out of order. */
  | "handshake"
  /**
   * A pairing commitment or a key confirmation that does not match: a wrong code, a wrong link key,
   * or a man in the middle.
   */
  | "pairing"
  /** The phone refuses to pair or resume for now (too many failures in a row). */
  | "locked"
  /** The phone holds no such bond (revoked, expired or never made): only a pairing by code helps. */
  | "unbonded"
  /** The phone makes no more key pairs for new pairings this second (a HELLO flood): try again. */
  | "busy"
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
