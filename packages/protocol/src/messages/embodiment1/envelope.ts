/**
 * What every first-embodiment message shares: its wrapper (SetLabEmbodiments.asn
 * EmbodimentWrapper), the expected-type check, the freshness of requests, and the refusal a
 * receiver answers with. The wrapper has no identifiers outside its body, so there is no header
 * to compare with protected copies: every identifier is read from the body alone.
 */
import { bytesEqual } from "../../asn1/tlv";
import { SetError } from "../../errors";
import type { CurrencyAmount } from "../../schema/common";
import {
  decodeEmbodimentMessage,
  type EmbodimentMessage,
  type EmbodimentMessageType,
  type EmbodimentWrapper,
  embodimentVersion,
  encodeEmbodimentMessage,
} from "../../schema/embodiments";
import { wholeSeconds } from "../../wholeSeconds";
import { RemoteSetError } from "../errorMessage";
import { checkHeaderDate } from "../headerDate";

/** One embodiment message, wrapped, dated with whole seconds. */
export function wrapEmbodiment(message: EmbodimentMessage, date: Date): Uint8Array {
  return encodeEmbodimentMessage({ version: embodimentVersion, date: wholeSeconds(date), message });
}

/** Bytes as they came, or the wrapper the receiver already read (to route it). */
export type EmbodimentIncoming = Uint8Array | EmbodimentWrapper;

export const readEmbodiment = (incoming: EmbodimentIncoming): EmbodimentWrapper =>
  incoming instanceof Uint8Array ? decodeEmbodimentMessage(incoming) : incoming;

export type EmbodimentBody<T extends EmbodimentMessageType> = Extract<
  EmbodimentMessage,
  { type: T }
>["value"];

/**
 * The body of the expected type. A refusal in its place is the peer's answer (RemoteSetError
 * with the peer's code); another type is messageNotSupported.
 */
export function embodimentBodyOf<T extends EmbodimentMessageType>(
  wrapper: EmbodimentWrapper,
  type: T,
): EmbodimentBody<T> {
  const { message } = wrapper;
  if (message.type === type) return message.value as EmbodimentBody<T>;
  if (message.type === "error")
    throw new RemoteSetError(message.value.errorCode, "the peer refused the message");
  throw new SetError(
    "messageNotSupported",
    `expected ${type}, got ${message.type}`,
    "EmbodimentWrapper.message",
  );
}

/** A request's freshness: its date within the receiver's skew (messageTooOld / messageTooNew). */
export function checkEmbodimentDate(wrapper: EmbodimentWrapper, now: Date, maxClockSkewMs?: number): void {
  checkHeaderDate(wrapper.date, now, maxClockSkewMs);
}

/** The refusal of a message: never sent in answer to a refusal. `where` names the check, never data. */
export function embodimentRefusal(e: SetError, date: Date): Uint8Array {
  const where = e.where && /^[\x20-\x7e]{1,200}$/.test(e.where) ? e.where : undefined;
  return wrapEmbodiment({ type: "error", value: { errorCode: e.code, ...(where ? { where } : {}) } }, date);
}

/** True when the bytes are a refusal (so that it is not answered with one). */
export function isEmbodimentRefusal(bytes: Uint8Array): boolean {
  try {
    return decodeEmbodimentMessage(bytes).message.type === "error";
  } catch {
    return false;
  }
}

export function sameAmount(a: CurrencyAmount, b: CurrencyAmount): boolean {
  return a.currency === b.currency && a.amount === b.amount && a.amtExp10 === b.amtExp10;
}

/** `actual` must be `expected`, else `code` naming `where`. */
export function expectSame(
  actual: Uint8Array,
  expected: Uint8Array,
  code: SetError["code"],
  where: string,
): void {
  if (!bytesEqual(actual, expected)) throw new SetError(code, `${where} is not the one expected`, where);
}
