/**
 * How big a card-link frame can legitimately be, derived from what it carries, so that a reader
 * refuses a larger length prefix before it buffers a byte of the frame (docs/card-link.md, "Frames
 * and messages").
 */
import { BOND_ID_LENGTH, PUBLIC_KEY_LENGTH } from "./secureLink/messages";
import { MIN_RECORD } from "./secureLink/recordLayer";

/**
 * The largest SET message (a DER MessageWrapper) any party accepts, and so the largest a card
 * command or answer carries: PINIT_RESPONSE and PURCHASE_RESPONSE relay the merchant's answers,
 * which the mediator reads under this limit, and a PReq with its chains is about 10 KiB.
 */
export const MAX_SET_MESSAGE = 256 * 1024;

/**
 * The most data one card command or answer carries: a SET message. Every type of SetLabCard.asn
 * is smaller (the largest, PurchaseInput, is 66 116 octets; commandData.test.ts checks it).
 */
export const MAX_CARD_DATA = MAX_SET_MESSAGE;

/** CLA, INS, P1, P2 and the 4-byte length of a card command (an answer's SW is 2 bytes). */
export const COMMAND_HEADER = 8;

/**
 * The largest frame of an open link: one record (header, content type, GCM tag) around the
 * largest command. An answer (data and a 2-byte SW) is smaller.
 */
export const MAX_FRAME = MIN_RECORD + COMMAND_HEADER + MAX_CARD_DATA;

/**
 * The largest handshake message (RESUME: type, version, bond id, public key): before the keys are
 * confirmed, the phone reads nothing longer.
 */
export const MAX_HANDSHAKE_FRAME = 2 + BOND_ID_LENGTH + PUBLIC_KEY_LENGTH;
