/**
 * The handshake messages of the secure card link. Each travels as one card-link frame whose first
 * byte is its type; lengths are fixed, so a message either decodes exactly or is refused.
 *
 *   HELLO     0x01  version (1) || flags (1) || P-256 public key, uncompressed (65)
 *   COMMIT    0x02  HMAC-SHA-256 commitment (32)
 *   REVEAL    0x03  the commitment's nonce (16)
 *   FINISHED  0x04  key confirmation HMAC-SHA-256 (32)
 *   ALERT     0x05  reason (1): 1 refused, 2 locked (too many failures), 3 unknown bond,
 *                   4 busy (too many pairings begun at once); unauthenticated, a hint only
 *   RESUME    0x06  version (1) || bond id (16) || P-256 public key, uncompressed (65)
 *   RECORD    0x17  see recordLayer.ts
 *
 * HELLO flags: bit 0 (BOND) from the PC asks the phone to keep a bond after the pairing; from the
 * phone it says the phone keeps one. Every other bit is reserved and must be 0.
 */
import { SecureLinkError } from "./secureLinkError";

/**
 * 2: HELLO gained its flags byte and RESUME appeared (bonding). 3: a resumption's phone sends its
 * FINISHED with its HELLO, the PC's comes second (one round trip before the first command).
 */
export const LINK_VERSION = 3;
export const PUBLIC_KEY_LENGTH = 65;
export const COMMIT_LENGTH = 32;
export const NONCE_LENGTH = 16;
export const FINISHED_LENGTH = 32;
/** A bond's public name, as SET's identifiers are: random-looking, not secret. */
export const BOND_ID_LENGTH = 16;

export const MessageType = {
  HELLO: 0x01,
  COMMIT: 0x02,
  REVEAL: 0x03,
  FINISHED: 0x04,
  ALERT: 0x05,
  RESUME: 0x06,
  RECORD: 0x17,
} as const;

export const HelloFlags = { BOND: 0x01 } as const;
const KNOWN_FLAGS = HelloFlags.BOND;

export const AlertReason = { REFUSED: 1, LOCKED: 2, UNKNOWN_BOND: 3, BUSY: 4 } as const;

export type HandshakeMessage =
  | { type: "hello"; version: number; flags: number; publicKey: Uint8Array }
  | { type: "commit"; commitment: Uint8Array }
  | { type: "reveal"; nonce: Uint8Array }
  | { type: "finished"; mac: Uint8Array }
  | { type: "alert"; reason: number }
  | { type: "resume"; version: number; bondId: Uint8Array; publicKey: Uint8Array };

function tagged(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = type;
  out.set(body, 1);
  return out;
}

function fixed(what: string, bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length !== length)
    throw new SecureLinkError("handshake", `${what} is ${bytes.length} bytes, expected ${length}`);
  return bytes;
}

export function encodeHandshake(m: HandshakeMessage): Uint8Array {
  switch (m.type) {
    case "hello": {
      const body = new Uint8Array(2 + PUBLIC_KEY_LENGTH);
      body[0] = m.version;
      body[1] = m.flags;
      body.set(fixed("public key", m.publicKey, PUBLIC_KEY_LENGTH), 2);
      return tagged(MessageType.HELLO, body);
    }
    case "commit":
      return tagged(MessageType.COMMIT, fixed("commitment", m.commitment, COMMIT_LENGTH));
    case "reveal":
      return tagged(MessageType.REVEAL, fixed("nonce", m.nonce, NONCE_LENGTH));
    case "finished":
      return tagged(MessageType.FINISHED, fixed("finished MAC", m.mac, FINISHED_LENGTH));
    case "alert":
      return Uint8Array.of(MessageType.ALERT, m.reason & 0xff);
    case "resume": {
      const body = new Uint8Array(1 + BOND_ID_LENGTH + PUBLIC_KEY_LENGTH);
      body[0] = m.version;
      body.set(fixed("bond id", m.bondId, BOND_ID_LENGTH), 1);
      body.set(fixed("public key", m.publicKey, PUBLIC_KEY_LENGTH), 1 + BOND_ID_LENGTH);
      return tagged(MessageType.RESUME, body);
    }
  }
}

/** Decode one handshake message; anything else (a record, a card command, garbage) is refused. */
export function decodeHandshake(bytes: Uint8Array): HandshakeMessage {
  if (bytes.length === 0) throw new SecureLinkError("handshake", "empty handshake message");
  const body = bytes.subarray(1);
  switch (bytes[0]) {
    case MessageType.HELLO: {
      fixed("HELLO", body, 2 + PUBLIC_KEY_LENGTH);
      if ((body[1] & ~KNOWN_FLAGS) !== 0)
        throw new SecureLinkError("handshake", `HELLO flags 0x${body[1].toString(16)} carry reserved bits`);
      return { type: "hello", version: body[0], flags: body[1], publicKey: body.slice(2) };
    }
    case MessageType.COMMIT:
      return { type: "commit", commitment: fixed("COMMIT", body, COMMIT_LENGTH).slice() };
    case MessageType.REVEAL:
      return { type: "reveal", nonce: fixed("REVEAL", body, NONCE_LENGTH).slice() };
    case MessageType.FINISHED:
      return { type: "finished", mac: fixed("FINISHED", body, FINISHED_LENGTH).slice() };
    case MessageType.ALERT:
      fixed("ALERT", body, 1);
      return { type: "alert", reason: body[0] };
    case MessageType.RESUME:
      fixed("RESUME", body, 1 + BOND_ID_LENGTH + PUBLIC_KEY_LENGTH);
      return {
        type: "resume",
        version: body[0],
        bondId: body.slice(1, 1 + BOND_ID_LENGTH),
        publicKey: body.slice(1 + BOND_ID_LENGTH),
      };
    default:
      throw new SecureLinkError(
        "handshake",
        `not a handshake message (type 0x${bytes[0].toString(16).padStart(2, "0")})`,
      );
  }
}
