/**
 * The messages carried as EncB(s, r, t, b) between merchant and gateway (digest 3.5-3.7): AuthReq,
 * AuthRevReq, CapReq, CapRevReq, CredReq and CredRevReq from the merchant, AuthRes and AuthRevRes
 * from the gateway. They differ only in their content types, the types of t and b, how the
 * message's structure holds the envelope and the baggage, and who signs; one row per message
 * says that, and `sealEncBMessage`/`openEncBMessage` seal and open every one of them alike.
 *
 * Opening: refuse what the message's form or size rules out, before any work; decrypt, verify the
 * signature and the baggage linkage (any failure of these three, the signature's included, is the
 * one generic decryption error, so that no answer tells a CBC padding failure from a broken
 * signature); judge the signer (a merchant: `checkMerchantCertificates`, its key-exchange
 * certificate carried being where the answer goes; the gateway: `checkGatewaySigner`); decode t
 * strictly; then any rule between t and the baggage. Certificate failures keep their codes and
 * name the certificate (errorThumb).
 */
import { type Codec, decodeDer, encodeDer } from "../asn1/codec";
import type { Trust } from "../cert/trust";
import { type BaggageTypes, EncB } from "../crypto/encB";
import type { Decrypter } from "../crypto/envelopedData";
import type { CryptoProvider } from "../crypto/provider";
import type { Signer } from "../crypto/signedMessage";
import { SetError } from "../errors";
import { ContentType } from "../schema/oids";
import {
  type AuthReq,
  AuthReqData,
  type AuthRes,
  AuthResBaggage,
  AuthResData,
  type AuthRevReq,
  AuthRevReqBaggage,
  AuthRevReqData,
  type AuthRevRes,
  AuthRevResBaggage,
  AuthRevResData,
  type CapReq,
  CapReqData,
  CapRevOrCredReqData,
  type CapToken,
  CapTokenSeq,
} from "../schema/payment";
import { openSealed } from "./checks";
import {
  checkSender,
  type OpenSealedOptions,
  type SealedSender,
  type SenderCertificates,
} from "./sealedSender";

/** The capture family's requests also bound their size. */
export interface OpenCapFamilyOptions extends OpenSealedOptions {
  /** At most this many items, refused (messageTooBig) before any decryption. */
  readonly maxItems: number;
}

/** One EncB message: M the message, D its data t, B its baggage b, S who signs it. */
export interface EncBMessage<
  M,
  D,
  B,
  S extends SealedSender,
  O extends OpenSealedOptions = OpenSealedOptions,
> {
  /** SET's name of the message, for errors and `where`. */
  readonly name: string;
  readonly sender: S;
  readonly types: BaggageTypes;
  readonly data: Codec<D>;
  /** The baggage's DER: the bytes the signer linked to t. */
  readonly baggageDer: (baggage: B) => Uint8Array;
  /** The message around a sealed envelope and its baggage. */
  readonly message: (envelope: Uint8Array, baggage: B) => M;
  /** The envelope and baggage of a received message, refusing what its form or size rules out. */
  readonly parts: (message: M, options: O) => { readonly envelope: Uint8Array; readonly baggage: B };
  /** A rule between the decoded data and the baggage. */
  readonly agree?: (data: D, baggage: B) => void;
}

/** What opening gives: the data, the baggage, and the signer as judged. */
export type OpenedEncBMessage<D, B, S extends SealedSender> = {
  readonly data: D;
  readonly baggage: B;
} & SenderCertificates[S];

export async function sealEncBMessage<M, D, B, S extends SealedSender, O extends OpenSealedOptions>(
  row: EncBMessage<M, D, B, S, O>,
  p: CryptoProvider,
  signer: Signer,
  recipientKexCertificate: Uint8Array,
  data: D,
  baggage: B,
): Promise<M> {
  const sealed = await EncB(
    p,
    signer,
    recipientKexCertificate,
    row.types,
    encodeDer(row.data, data),
    row.baggageDer(baggage),
  );
  return row.message(sealed.envelope, baggage);
}

export async function openEncBMessage<M, D, B, S extends SealedSender, O extends OpenSealedOptions>(
  row: EncBMessage<M, D, B, S, O>,
  p: CryptoProvider,
  recipient: Decrypter,
  message: M,
  trust: Trust,
  options: O,
): Promise<OpenedEncBMessage<D, B, S>> {
  const { envelope, baggage } = row.parts(message, options);
  const opened = await openSealed(p, recipient, envelope, row.baggageDer(baggage), row.types);
  const signer = await checkSender[row.sender](p, opened, trust, row.name, options.brand);
  const data = decodeDer(row.data, opened.content);
  row.agree?.(data, baggage);
  return { data, baggage, ...signer };
}

/**
 * A row's seal and open, for a message opened with no more than its brand; `opened` turns what
 * opening gives into the message's own opened form.
 */
export const encBFunctions = <M, D, B, S extends SealedSender, R>(
  row: EncBMessage<M, D, B, S>,
  opened: (o: OpenedEncBMessage<D, B, S>) => R,
) => ({
  seal: (p: CryptoProvider, signer: Signer, recipientKexCertificate: Uint8Array, data: D, baggage: B) =>
    sealEncBMessage(row, p, signer, recipientKexCertificate, data, baggage),
  open: async (
    p: CryptoProvider,
    recipient: Decrypter,
    message: M,
    trust: Trust,
    options: OpenSealedOptions = {},
  ) => opened(await openEncBMessage(row, p, recipient, message, trust, options)),
});

/** `opened` for a message whose opened form is what opening gives. */
export const asOpened = <O>(o: O): O => o;

/** The EncB pair of a message that has an EncBX form too, which this profile neither sends nor takes. */
type EncBOrX<V> =
  | { readonly type: "encB"; readonly value: V }
  | { readonly type: "encBX"; readonly value: V };

function encBForm<V>(name: string, message: EncBOrX<V>): V {
  if (message.type !== "encB")
    throw new SetError("messageNotSupported", `${name} in the EncBX form is not supported`, `${name}.encBX`);
  return message.value;
}

const typesOf = (signed: string, enveloped: string, baggage: string): BaggageTypes => ({
  signed,
  enveloped,
  baggage,
});

/**
 * A capture-family request (CapReq, CapRevReq, CredReq, CredRevReq): EncB(M, P, t, CapTokenSeq),
 * one CapToken per item of t, in its order; at most `maxItems` tokens, refused before any work.
 */
function capFamilyRequest<D>(
  name: string,
  types: { readonly signed: string; readonly enveloped: string },
  data: Codec<D>,
  itemsOf: (data: D) => readonly unknown[],
): EncBMessage<CapReq, D, CapToken[], "merchant", OpenCapFamilyOptions> {
  return {
    name,
    sender: "merchant",
    types: { ...types, baggage: ContentType.CapTokenSeq },
    data,
    baggageDer: (capTokens) => encodeDer(CapTokenSeq, capTokens),
    message: (envelope, capTokenSeq) => ({ type: "encB", value: { envelope, capTokenSeq } }),
    parts: (message, { maxItems }) => {
      const { envelope, capTokenSeq } = encBForm(name, message);
      if (capTokenSeq.length > maxItems)
        throw new SetError(
          "messageTooBig",
          `a ${name} of ${capTokenSeq.length} items, over the ${maxItems} taken at once`,
          `${name}.capTokenSeq`,
        );
      return { envelope, baggage: capTokenSeq };
    },
    agree: (d, capTokens) => {
      if (itemsOf(d).length !== capTokens.length)
        throw new SetError(
          "decodingFailure",
          `a ${name} must carry one CapToken per item`,
          `${name}.capTokenSeq`,
        );
    },
  };
}

/** A row, its types named. */
const row = <M, D, B, S extends SealedSender>(r: EncBMessage<M, D, B, S>) => r;

const capRevOrCredItems = (d: CapRevOrCredReqData) => d.capRevOrCredReqItemSeq;

export const encBMessages = {
  /**
   * AuthReq = EncB(M, P, AuthReqData, PI) (patent steps S42-S46). The PI is the cardholder's, as
   * received: the merchant cannot open it and forwards its DER unchanged as the baggage.
   */
  AuthReq: row<AuthReq, AuthReqData, Uint8Array, "merchant">({
    name: "AuthReq",
    sender: "merchant",
    types: typesOf(ContentType.AuthReqTBS, ContentType.AuthReqTBE, ContentType.PI),
    data: AuthReqData,
    baggageDer: (piDer) => piDer,
    message: (authReqEnvelope, pi) => ({ authReqEnvelope, pi }),
    parts: (m) => ({ envelope: m.authReqEnvelope, baggage: m.pi }),
  }),
  /** AuthRevReq = EncB(M, P, AuthRevReqData, {PI, [CapToken]}). */
  AuthRevReq: row<AuthRevReq, AuthRevReqData, AuthRevReqBaggage, "merchant">({
    name: "AuthRevReq",
    sender: "merchant",
    types: typesOf(ContentType.AuthRevReqTBS, ContentType.AuthRevReqTBE, ContentType.AuthRevReqBaggage),
    data: AuthRevReqData,
    baggageDer: (b) => encodeDer(AuthRevReqBaggage, b),
    message: (authRevReqEnvelope, authRevReqBaggage) => ({ authRevReqEnvelope, authRevReqBaggage }),
    parts: (m) => ({ envelope: m.authRevReqEnvelope, baggage: m.authRevReqBaggage }),
  }),
  /** CapReq = EncB(M, P, CapReqData, CapTokenSeq). */
  CapReq: capFamilyRequest(
    "CapReq",
    { signed: ContentType.CapReqTBS, enveloped: ContentType.CapReqTBE },
    CapReqData,
    (d) => d.capItemSeq,
  ),
  /** CapRevReq = EncB(M, P, CapRevOrCredReqData, CapTokenSeq), the capture reversal. */
  CapRevReq: capFamilyRequest(
    "CapRevReq",
    { signed: ContentType.CapRevReqTBS, enveloped: ContentType.CapRevReqTBE },
    CapRevOrCredReqData,
    capRevOrCredItems,
  ),
  /** CredReq = EncB(M, P, CapRevOrCredReqData, CapTokenSeq), the credit. */
  CredReq: capFamilyRequest(
    "CredReq",
    { signed: ContentType.CredReqTBS, enveloped: ContentType.CredReqTBE },
    CapRevOrCredReqData,
    capRevOrCredItems,
  ),
  /** CredRevReq = EncB(M, P, CapRevOrCredReqData, CapTokenSeq), the credit reversal. */
  CredRevReq: capFamilyRequest(
    "CredRevReq",
    { signed: ContentType.CredRevReqTBS, enveloped: ContentType.CredRevReqTBE },
    CapRevOrCredReqData,
    capRevOrCredItems,
  ),
  /**
   * AuthRes = EncB(P, M, AuthResData, AuthResBaggage) (patent steps S50-S52). The baggage
   * (CapToken, AcqCardMsg, AuthToken) is opaque to the merchant, and linked under the gateway's
   * signature. The EncBX form (PANToken for the merchant) is refused with messageNotSupported.
   */
  AuthRes: row<AuthRes, AuthResData, AuthResBaggage, "gateway">({
    name: "AuthRes",
    sender: "gateway",
    types: typesOf(ContentType.AuthResTBS, ContentType.AuthResTBE, ContentType.AuthResBaggage),
    data: AuthResData,
    baggageDer: (b) => encodeDer(AuthResBaggage, b),
    message: (authResEnvelope, authResBaggage) => ({
      type: "encB",
      value: { authResEnvelope, authResBaggage },
    }),
    parts: (m) => {
      const { authResEnvelope, authResBaggage } = encBForm("AuthRes", m);
      return { envelope: authResEnvelope, baggage: authResBaggage };
    },
  }),
  /**
   * AuthRevRes = EncB(P, M, AuthRevResData, AuthRevResBaggage). For an authorization reduced (not
   * cancelled) the baggage carries the new CapToken, for the new amount.
   */
  AuthRevRes: row<AuthRevRes, AuthRevResData, AuthRevResBaggage, "gateway">({
    name: "AuthRevRes",
    sender: "gateway",
    types: typesOf(ContentType.AuthRevResTBS, ContentType.AuthRevResTBEB, ContentType.AuthRevResBaggage),
    data: AuthRevResData,
    baggageDer: (b) => encodeDer(AuthRevResBaggage, b),
    message: (authRevResEnvelope, authRevResBaggage) => ({ authRevResEnvelope, authRevResBaggage }),
    parts: (m) => ({ envelope: m.authRevResEnvelope, baggage: m.authRevResBaggage }),
  }),
};
