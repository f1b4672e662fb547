/**
 * Envelopes with baggage: EncB(s, r, t, b) = {Enc(s, r, L(t, b)), b} and
 * EncBX(s, r, t, b, p) = {EncX(s, r, L(t, b), p), b}. The baggage b travels outside the envelope
 * (it is usually itself encrypted for someone else, e.g. the PI for the gateway); the signature
 * covers DD(b) through the linkage, so swapping the baggage is a signature failure.
 */
import { Enc, type OpenOptions, openEnc, type SignedEnvelopeTypes } from "./enc";
import { EncX, openEncX } from "./encX";
import type { Decrypter } from "./envelopedData";
import { checkL, L } from "./linkage";
import type { CryptoProvider } from "./provider";
import type { Signer, VerifiedSignature } from "./signedMessage";

export interface BaggageTypes extends SignedEnvelopeTypes {
  /** setct OID of the baggage, used in DD(b). */
  readonly baggage: string;
}

/** An envelope and the baggage that travels beside it. */
export interface WithBaggage {
  readonly envelope: Uint8Array;
  readonly baggage: Uint8Array;
}

export interface OpenedWithBaggage extends VerifiedSignature {
  /** DER of t. */
  readonly content: Uint8Array;
  /** DER of b, now known to be the baggage the signer linked. */
  readonly baggage: Uint8Array;
}

export async function EncB(
  p: CryptoProvider,
  signer: Signer,
  recipientCertificate: Uint8Array,
  types: BaggageTypes,
  t: Uint8Array,
  baggage: Uint8Array,
): Promise<WithBaggage> {
  const linked = await L(p, t, baggage, types.baggage);
  return { envelope: await Enc(p, signer, recipientCertificate, types, linked), baggage };
}

export async function openEncB(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: WithBaggage,
  types: BaggageTypes,
  options: OpenOptions = {},
): Promise<OpenedWithBaggage> {
  const opened = await openEnc(p, decrypter, msg.envelope, types, options);
  const content = await checkL(p, opened.content, msg.baggage, types.baggage, "EncB.baggage");
  return { ...opened, content, baggage: msg.baggage };
}

export async function EncBX(
  p: CryptoProvider,
  signer: Signer,
  recipientCertificate: Uint8Array,
  types: BaggageTypes,
  t: Uint8Array,
  baggage: Uint8Array,
  extra: Uint8Array,
): Promise<WithBaggage> {
  const linked = await L(p, t, baggage, types.baggage);
  return { envelope: await EncX(p, signer, recipientCertificate, types, linked, extra), baggage };
}

export interface OpenedEncBX extends OpenedWithBaggage {
  /** DER of p, from the RSA block. */
  readonly extra: Uint8Array;
}

export async function openEncBX(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: WithBaggage,
  types: BaggageTypes,
  options: OpenOptions = {},
): Promise<OpenedEncBX> {
  const opened = await openEncX(p, decrypter, msg.envelope, types, options);
  const content = await checkL(p, opened.content, msg.baggage, types.baggage, "EncBX.baggage");
  return { ...opened, content, baggage: msg.baggage };
}
