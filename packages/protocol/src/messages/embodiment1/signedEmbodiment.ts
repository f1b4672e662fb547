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

export interface OpenedSignedEmbodiment<T, C> {
  readonly data: T;
  /** What `checkSigner` returned. */
  readonly signer: C;
  /** The SignedData exactly as it came. */
  readonly signed: Uint8Array;
}

export interface SignedEmbodiment<T> {
  /** Sign T and wrap it, dated. */
  sign(p: CryptoProvider, signer: Signer, value: T, date: Date): Promise<Uint8Array>;
  /**
   * The checks every signed message shares, in this order: the message type (a refusal:
   * RemoteSetError); the date when `freshness` is given, as for requests (messageTooOld /
   * messageTooNew); the signature under the expected content type (signatureFailure); the
   * signer, by the message's own `checkSigner`; then T decoded (decodingFailure).
   */
  open<C>(
    p: CryptoProvider,
    incoming: EmbodimentIncoming,
    freshness: { readonly now: Date; readonly maxClockSkewMs?: number } | undefined,
    checkSigner: (verified: VerifiedSignedMessage) => Promise<C>,
  ): Promise<OpenedSignedEmbodiment<T, C>>;
}

/** The message of wrapper alternative `type`: S(signer, T) with eContentType `contentType`. */
export function signedEmbodiment<T>(
  type: SignedEmbodimentType,
  contentType: string,
  codec: Codec<T>,
): SignedEmbodiment<T> {
  return {
    async sign(p, signer, value, date) {
      const signed = await S(p, signer, contentType, encodeDer(codec, value));
      return wrapEmbodiment({ type, value: signed } as EmbodimentMessage, date);
    },
    async open(p, incoming, freshness, checkSigner) {
      const wrapper = readEmbodiment(incoming);
      const signed = embodimentBodyOf(wrapper, type) as Uint8Array;
      if (freshness) checkEmbodimentDate(wrapper, freshness.now, freshness.maxClockSkewMs);
      const verified = await verifyS(p, signed, { contentType });
      const signer = await checkSigner(verified);
      return { data: decodeDer(codec, verified.content), signer, signed };
    },
  };
}
