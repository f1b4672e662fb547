/**
 * What every receive function starts from: a message read once. A party that must look at a
 * message before it knows what to expect (which order, which key) reads it with `readMessage`
 * and hands the result on; the receive function then decodes nothing a second time.
 */
import { sha256Hex } from "../cert/digest";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { decodeMessage, type Message, type MessageType, type MessageWrapper } from "../schema/message";
import { RemoteSetError, readError } from "./errorMessage";
import type { ErrorSigners } from "./errorSigner";

/** A SET message's bytes and its strictly decoded wrapper (digest 6 rule 1 already applied). */
export interface ReadMessage {
  readonly bytes: Uint8Array;
  readonly wrapper: MessageWrapper;
}

/** Bytes as they came, or a message the receiver already read. */
export type Incoming = Uint8Array | ReadMessage;

/**
 * Strict DER, SET 1.0's version, critical wrapper extensions and a known message type (digest 6
 * rule 1: decodingFailure, versionTooOld/New, unrecognizedExtension, messageNotSupported).
 */
export function readMessage(bytes: Uint8Array, understoodExtensions: readonly string[] = []): ReadMessage {
  return { bytes, wrapper: decodeMessage(bytes, understoodExtensions) };
}

export const asRead = (incoming: Incoming, understoodExtensions?: readonly string[]): ReadMessage =>
  incoming instanceof Uint8Array ? readMessage(incoming, understoodExtensions) : incoming;

const fingerprints = new WeakMap<Uint8Array, string>();

/**
 * SHA-256 of a request's bytes (hex): what tells a retry from a conflicting reuse of its RRPID.
 * Remembered per byte array, so the party that records it beside the RRPID does not hash again.
 */
export function fingerprintOf(bytes: Uint8Array): string {
  let found = fingerprints.get(bytes);
  if (found === undefined) {
    found = sha256Hex(bytes);
    fingerprints.set(bytes, found);
  }
  return found;
}

export type BodyOf<T extends MessageType> = Extract<Message, { type: T }>["value"];

/**
 * The body of the expected message type. An Error in its place is the peer's answer: a
 * RemoteSetError with the peer's code, `signed` only when its signer is one of `errorSigners`
 * (errorSigner.ts); any other type is messageNotSupported.
 */
export async function bodyOf<T extends MessageType>(
  p: CryptoProvider,
  wrapper: MessageWrapper,
  type: T,
  errorSigners?: ErrorSigners,
): Promise<BodyOf<T>> {
  const message = wrapper.message;
  if (message.type === type) return message.value as BodyOf<T>;
  if (message.type === "error") {
    const remote = await readError(p, message.value, errorSigners);
    throw new RemoteSetError(
      remote.code,
      "the peer answered with a SET Error",
      remote.oid,
      remote.signed,
      remote.thumb,
    );
  }
  throw new SetError(
    "messageNotSupported",
    `expected ${type}, got ${message.type}`,
    "MessageWrapper.message",
  );
}
