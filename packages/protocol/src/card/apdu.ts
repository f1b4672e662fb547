/**
 * Commands and responses of the card link. A command is `CLA INS P1 P2`, a 4-byte big-endian data
 * length, then the data; a response is the data then `SW1 SW2`.
 */
import { CardLinkError } from "./cardLinkError";
import { CLA, SW } from "./commandSet";
import { COMMAND_HEADER, MAX_CARD_DATA } from "./linkLimits";

export interface CardCommand {
  ins: number;
  p1?: number;
  p2?: number;
  data?: Uint8Array;
}

export interface DecodedCommand {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
}

export interface CardResponse {
  data: Uint8Array;
  sw: number;
}

function byte(value: number | undefined, what: string): number {
  const v = value ?? 0;
  if (!Number.isInteger(v) || v < 0 || v > 0xff)
    throw new CardLinkError(SW.BAD_DATA, `${what} is not a byte`);
  return v;
}

export function encodeCommand(command: CardCommand): Uint8Array {
  const data = command.data ?? new Uint8Array(0);
  if (data.length > MAX_CARD_DATA) throw new CardLinkError(SW.BAD_LENGTH, "command data too long");
  const out = new Uint8Array(COMMAND_HEADER + data.length);
  out[0] = CLA;
  out[1] = byte(command.ins, "INS");
  out[2] = byte(command.p1, "P1");
  out[3] = byte(command.p2, "P2");
  new DataView(out.buffer).setUint32(4, data.length);
  out.set(data, COMMAND_HEADER);
  return out;
}

/** Reads a command; a header that is short, a length that disagrees, or another CLA is refused. */
export function decodeCommand(bytes: Uint8Array): DecodedCommand {
  if (bytes.length < COMMAND_HEADER)
    throw new CardLinkError(SW.BAD_LENGTH, "command shorter than its header");
  if (bytes[0] !== CLA) throw new CardLinkError(SW.CLA_NOT_SUPPORTED, "class byte is not 0x80");
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4);
  if (length !== bytes.length - COMMAND_HEADER) {
    throw new CardLinkError(SW.BAD_LENGTH, "command length field disagrees with the data");
  }
  return {
    cla: bytes[0],
    ins: bytes[1],
    p1: bytes[2],
    p2: bytes[3],
    data: bytes.slice(COMMAND_HEADER),
  };
}

export function encodeResponse(response: { data?: Uint8Array; sw: number }): Uint8Array {
  const data = response.data ?? new Uint8Array(0);
  if (!Number.isInteger(response.sw) || response.sw < 0 || response.sw > 0xffff) {
    throw new CardLinkError(SW.BAD_DATA, "status word is not two bytes");
  }
  if (data.length > MAX_CARD_DATA) throw new CardLinkError(SW.BAD_LENGTH, "response data too long");
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = response.sw >> 8;
  out[data.length + 1] = response.sw & 0xff;
  return out;
}

export function decodeResponse(bytes: Uint8Array): CardResponse {
  if (bytes.length < 2) throw new CardLinkError(SW.BAD_LENGTH, "response shorter than its status word");
  const n = bytes.length - 2;
  return { data: bytes.slice(0, n), sw: (bytes[n] << 8) | bytes[n + 1] };
}
