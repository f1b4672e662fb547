/**
 * The embodiment messages (module `asn1/SetLabEmbodiments.asn`): the patent's first embodiment and
 * the first steps of its second, which are not SET and therefore never ride in SET's MessageWrapper. Its own wrapper is read in
 * the order SET's receivers use: strict DER, then the version, then the message type.
 */
import { decodeDer, decodeOwnedDer, encodeDer, type Infer, nodeTag, parseOne } from "../asn1/codec";
import {
  anyDer,
  choice,
  explicit,
  implicit,
  named,
  optional,
  sequence,
  sequenceOf,
} from "../asn1/constructed";
import { boolean, generalizedTime, integer, octets, string } from "../asn1/primitives";
import { describeTag } from "../asn1/tlv";
import { DecodeError, SetError } from "../errors";
import {
  BrandID,
  CardExpiry,
  Challenge,
  CurrencyAmount,
  EncryptedMessage,
  EnvelopedMessage,
  LocalID,
  PAN,
  RRPID,
  Secret,
  SignedMessage,
  XID,
} from "./common";
import { ErrorCode } from "./error";
import { AuthCode } from "./payment";
import { CompletionCode } from "./purchase";

/** The media type of every embodiment message over HTTP (request and answer). */
export const embodimentMediaType = "application/set-payment-embodiment";

/** The one version this module defines. */
export const embodimentVersion = 1;

export const E1InfoInit = named("E1InfoInit", sequence({ lid_M: LocalID }));
export type E1InfoInit = Infer<typeof E1InfoInit>;

export const E1InfoReq = named(
  "E1InfoReq",
  sequence({
    lid_M: LocalID,
    xid: XID,
    chall_M: Challenge,
    purchAmt: CurrencyAmount,
    brands: sequenceOf(BrandID, { min: 1, max: 32 }),
  }),
);
export type E1InfoReq = Infer<typeof E1InfoReq>;

export const E1CardInfo = named(
  "E1CardInfo",
  sequence({
    lid_M: LocalID,
    xid: XID,
    chall_M: Challenge,
    chall_C: Challenge,
    purchAmt: CurrencyAmount,
    brandID: BrandID,
    pan: PAN,
    cardExpiry: CardExpiry,
    panSecret: Secret,
  }),
);
export type E1CardInfo = Infer<typeof E1CardInfo>;

/**
 * The card information the merchant forwards: the card's signature it checked (`signed`), or, under
 * the second embodiment's card-company option, the card's envelope to the gateway, unopened.
 */
export const E1AuthCardInfo = named(
  "E1AuthCardInfo",
  choice({ signed: SignedMessage, sealedToGateway: explicit(0, EnvelopedMessage) }),
);
export type E1AuthCardInfo = Infer<typeof E1AuthCardInfo>;

export const E1AuthReqData = named(
  "E1AuthReqData",
  sequence({ authRRPID: RRPID, xid: XID, purchAmt: CurrencyAmount, cardInfo: E1AuthCardInfo }),
);
export type E1AuthReqData = Infer<typeof E1AuthReqData>;

export const E1AuthResData = named(
  "E1AuthResData",
  sequence({
    authRRPID: RRPID,
    xid: XID,
    authCode: AuthCode,
    authAmt: optional(implicit(0, CurrencyAmount)),
  }),
);
export type E1AuthResData = Infer<typeof E1AuthResData>;

export const E1ResultData = named(
  "E1ResultData",
  sequence({
    xid: XID,
    chall_C: Challenge,
    completionCode: CompletionCode,
    authAmt: optional(implicit(0, CurrencyAmount)),
  }),
);
export type E1ResultData = Infer<typeof E1ResultData>;

export const E2Init = named("E2Init", sequence({ lid_M: LocalID }));
export type E2Init = Infer<typeof E2Init>;

export const E2MerchantHelloData = named(
  "E2MerchantHelloData",
  sequence({
    lid_M: LocalID,
    xid: XID,
    chall_M: Challenge,
    purchAmt: CurrencyAmount,
    brands: sequenceOf(BrandID, { min: 1, max: 32 }),
  }),
);
export type E2MerchantHelloData = Infer<typeof E2MerchantHelloData>;

export const E2CardHelloData = named(
  "E2CardHelloData",
  sequence({ xid: XID, chall_M: Challenge, chall_C: Challenge, cardKey: octets({ min: 1, max: 1024 }) }),
);
export type E2CardHelloData = Infer<typeof E2CardHelloData>;

export const E2SessionKeyData = named(
  "E2SessionKeyData",
  sequence({
    xid: XID,
    chall_C: Challenge,
    sealedKey: octets({ min: 1, max: 1024 }),
    orderInfo: EncryptedMessage,
    /** Present: the card seals its card information to this gateway certificate (then its path). */
    cardCompanyKey: optional(explicit(0, sequenceOf(octets({ min: 1, max: 8192 }), { min: 1, max: 8 }))),
  }),
);
export type E2SessionKeyData = Infer<typeof E2SessionKeyData>;

export const E2OrderInfo = named(
  "E2OrderInfo",
  sequence({ od: octets({ min: 1, max: 65536 }), purchAmt: CurrencyAmount }),
);
export type E2OrderInfo = Infer<typeof E2OrderInfo>;

/** Claims 7-8: under the session key, or to the card company's (gateway's) key-exchange certificate. */
export const E2SealedCardInfo = named(
  "E2SealedCardInfo",
  choice({ sessionKey: EncryptedMessage, cardCompany: explicit(0, EnvelopedMessage) }),
);
export type E2SealedCardInfo = Infer<typeof E2SealedCardInfo>;

export const E2CardInfo = named("E2CardInfo", sequence({ xid: XID, sealed: E2SealedCardInfo }));
export type E2CardInfo = Infer<typeof E2CardInfo>;

export const E2OrderForBuyer = named(
  "E2OrderForBuyer",
  sequence({ nonForward: boolean(), merchantName: string("utf8", { min: 1, max: 200 }), order: E2OrderInfo }),
);
export type E2OrderForBuyer = Infer<typeof E2OrderForBuyer>;

export const EmbodimentError = named(
  "EmbodimentError",
  sequence({
    errorCode: ErrorCode,
    where: optional(implicit(0, string("visible", { min: 1, max: 200 }))),
  }),
);
export type EmbodimentError = Infer<typeof EmbodimentError>;

export const EmbodimentMessage = named(
  "EmbodimentMessage",
  choice({
    e1InfoInit: explicit(0, E1InfoInit),
    e1InfoReq: explicit(1, E1InfoReq),
    e1InfoRes: explicit(2, SignedMessage),
    e1AuthReq: explicit(3, EnvelopedMessage),
    e1AuthRes: explicit(4, SignedMessage),
    e1Result: explicit(5, SignedMessage),
    e2Init: explicit(6, E2Init),
    e2MerchantHello: explicit(7, SignedMessage),
    e2CardHello: explicit(8, SignedMessage),
    e2SessionKey: explicit(9, SignedMessage),
    e2OrderForBuyer: explicit(10, E2OrderForBuyer),
    e2CardInfo: explicit(11, E2CardInfo),
    error: explicit(31, EmbodimentError),
  }),
);
export type EmbodimentMessage = Infer<typeof EmbodimentMessage>;
export type EmbodimentMessageType = EmbodimentMessage["type"];

export const EmbodimentWrapper = named(
  "EmbodimentWrapper",
  sequence({
    version: integer({ min: 0, max: 2 ** 31 - 1 }),
    date: generalizedTime(),
    message: explicit(0, EmbodimentMessage),
  }),
);
export type EmbodimentWrapper = Infer<typeof EmbodimentWrapper>;

const OuterWrapper = sequence({
  version: integer({ min: 0, max: 2 ** 31 - 1 }),
  date: generalizedTime(),
  message: explicit(0, anyDer()),
});

export function encodeEmbodimentMessage(wrapper: EmbodimentWrapper): Uint8Array {
  return encodeDer(EmbodimentWrapper, wrapper);
}

/**
 * Strict DER decode of a whole embodiment message: decodingFailure for bad DER, versionTooOld /
 * versionTooNew for another version, messageNotSupported for an unknown message type,
 * decodingFailure again for a malformed body.
 */
export function decodeEmbodimentMessage(bytes: Uint8Array): EmbodimentWrapper {
  // A private copy, so the message's byte values can be views on it (`decodeOwnedDer`).
  const outer = decodeOwnedDer(OuterWrapper, new Uint8Array(bytes), "EmbodimentWrapper");
  if (outer.version < embodimentVersion)
    throw new SetError("versionTooOld", `version ${outer.version} precedes 1`, "EmbodimentWrapper.version");
  if (outer.version > embodimentVersion)
    throw new SetError(
      "versionTooNew",
      `version ${outer.version} is newer than 1`,
      "EmbodimentWrapper.version",
    );
  const found = nodeTag(parseOne(outer.message, "EmbodimentWrapper.message"));
  if (!EmbodimentMessage.tags?.includes(found))
    throw new DecodeError(
      "messageNotSupported",
      `no embodiment message has tag ${describeTag(found)}`,
      "EmbodimentWrapper.message",
    );
  const message = decodeDer(EmbodimentMessage, outer.message, "EmbodimentWrapper.message");
  return { version: outer.version, date: outer.date, message };
}

/** Every type of the module that has a codec, by its ASN.1 name (for the independent decoder test). */
export const embodimentTypes = {
  E1InfoInit,
  E1InfoReq,
  E1CardInfo,
  E1AuthCardInfo,
  E1AuthReqData,
  E1AuthResData,
  E1ResultData,
  E2Init,
  E2MerchantHelloData,
  E2CardHelloData,
  E2SessionKeyData,
  E2OrderInfo,
  E2OrderForBuyer,
  E2SealedCardInfo,
  E2CardInfo,
  EmbodimentError,
  EmbodimentMessage,
  EmbodimentWrapper,
} as const;
