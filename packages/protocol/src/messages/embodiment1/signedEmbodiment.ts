/**
 * The embodiments' signed messages, S(signer, T) in the wrapper: how each is built and opened, in
 * one place. A message names its wrapper alternative, the content type under the signature and
 * the DER codec of T; what it checks of the signer and of T stays with the message.
 */
import { type Codec, decodeDer, encodeDer } from "../../asn1/codec";
import type { CryptoProvider } from "../../crypto/provider";
import { S, type Signer, type VerifiedSignedMessage, verifyS } from "../../crypto/signedMessage";
import type { EmbodimentMessage } from "../../schema/embodiments";
import {
  checkEmbodimentDate,
  type EmbodimentIncoming,
  embodimentBodyOf,
  readEmbodiment,
  wrapEmbodiment,
} from "./envelope";

/** The wrapper's alternatives that carry a SignedData. */
export type SignedEmbodimentType =
  | "e1InfoRes"
  | "e1AuthRes"
  | "e1Result"
  | "e2MerchantHello"
  | "e2CardHello"
  | "e2SessionKey";

export interface SignedEmbodiment<T> {
  readonly type: SignedEmbodimentType;
  /** The eContentType the signature covers. */
  readonly contentType: string;
  readonly codec: Codec<T>;
}

/** Sign T and wrap it, dated. */
export async function signEmbodiment<T>(
  p: CryptoProvider,
  signer: Signer,
  message: SignedEmbodiment<T>,
  value: T,
  date: Date,
): Promise<Uint8Array> {
  const signed = await S(p, signer, message.contentType, encodeDer(message.codec, value));
  return wrapEmbodiment({ type: message.type, value: signed } as EmbodimentMessage, date);
}

export interface OpenedSignedEmbodiment<T, C> {
  readonly data: T;
  /** What `checkSigner` returned. */
  readonly signer: C;
  /** The SignedData exactly as it came. */
  readonly signed: Uint8Array;
}

/**
 * The checks every signed message shares, in this order: the message type (a refusal:
 * RemoteSetError); the date when `freshness` is given, as for requests (messageTooOld /
 * messageTooNew); the signature under the expected content type (signatureFailure); the signer,
 * by the message's own `checkSigner`; then T decoded (decodingFailure).
 */
export async function openSignedEmbodiment<T, C>(
  p: CryptoProvider,
  incoming: EmbodimentIncoming,
  message: SignedEmbodiment<T>,
  freshness: { readonly now: Date; readonly maxClockSkewMs?: number } | undefined,
  checkSigner: (verified: VerifiedSignedMessage) => Promise<C>,
): Promise<OpenedSignedEmbodiment<T, C>> {
  const wrapper = readEmbodiment(incoming);
  const signed = embodimentBodyOf(wrapper, message.type) as Uint8Array;
  if (freshness) checkEmbodimentDate(wrapper, freshness.now, freshness.maxClockSkewMs);
  const verified = await verifyS(p, signed, { contentType: message.contentType });
  const signer = await checkSigner(verified);
  return { data: decodeDer(message.codec, verified.content), signer, signed };
}
