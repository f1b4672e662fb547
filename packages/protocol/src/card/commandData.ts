/**
 * The data inside card commands and answers (module `asn1/SetLabCard.asn`, docs/card-link.md
 * "Card command data"): one DER codec per type, read strictly, with a byte limit checked before
 * any parsing. The card, the mediator, the conformance kit and the fuzz targets all write and read
 * card data through `encodeCardData` / `decodeCardData`, so the contract has one definition.
 */
import { decodeDer, encodeDer, type Infer } from "../asn1/codec";
import { choice, implicit, named, optional, sequence, withDefault } from "../asn1/constructed";
import { boolean, enumerated, generalizedTime, integer, octets, string } from "../asn1/primitives";
import { SetError } from "../errors";
import { CurrencyAmount } from "../schema/common";
import { ErrorCode } from "../schema/error";
import { CompletionCode } from "../schema/purchase";
import { CardDataError } from "./cardDataError";

const visible = (min: number, max: number) => string("visible", { min, max });
const utf8 = (min: number, max: number) => string("utf8", { min, max });
const xid = () => octets({ size: 20 });

/** The order description a PURCHASE may carry, in octets. */
export const MAX_ORDER_DESCRIPTION = 65536;

export const PInitRequestInput = named(
  "PInitRequestInput",
  sequence({
    brand: visible(1, 40),
    lidM: optional(implicit(0, visible(1, 20))),
    language: optional(implicit(1, visible(1, 35))),
  }),
);
export type PInitRequestInput = Infer<typeof PInitRequestInput>;

export const PurchaseProfile = named("PurchaseProfile", enumerated({ set: 0, hardened: 1 }));
export type PurchaseProfile = Infer<typeof PurchaseProfile>;
export const PurchaseForm = named("PurchaseForm", enumerated({ dualSigned: 0, unsigned: 1 }));
export type PurchaseForm = Infer<typeof PurchaseForm>;

export const PurchaseInput = named(
  "PurchaseInput",
  sequence({
    od: octets({ min: 1, max: MAX_ORDER_DESCRIPTION }),
    purchAmt: CurrencyAmount,
    profile: withDefault(implicit(0, PurchaseProfile), "set" as PurchaseProfile),
    form: withDefault(implicit(1, PurchaseForm), "dualSigned" as PurchaseForm),
    /** The DER of the InstallRecurData the buyer agreed to (installments, recurring payments). */
    installRecurData: optional(implicit(2, octets({ min: 1, max: 512 }))),
  }),
);
export type PurchaseInput = Infer<typeof PurchaseInput>;

export const InquiryInput = named("InquiryInput", sequence({ xid: optional(implicit(0, xid())) }));
export type InquiryInput = Infer<typeof InquiryInput>;

export const SelectAnswer = named(
  "SelectAnswer",
  sequence({ brand: visible(1, 40), bin: string("numeric", { size: 6 }), language: visible(1, 35) }),
);
export type SelectAnswer = Infer<typeof SelectAnswer>;

export const PInitResAnswer = named(
  "PInitResAnswer",
  sequence({
    merchantName: utf8(1, 50),
    merID: visible(1, 30),
    gateway: utf8(1, 1024),
    xid: xid(),
  }),
);
export type PInitResAnswer = Infer<typeof PInitResAnswer>;

export const PResOutcome = named(
  "PResOutcome",
  sequence({ completionCode: CompletionCode, authAmt: optional(implicit(0, CurrencyAmount)) }),
);
export const MerchantError = named("MerchantError", sequence({ errorCode: ErrorCode, signed: boolean() }));

export const PurchaseOutcome = named(
  "PurchaseOutcome",
  choice({ pRes: implicit(0, PResOutcome), error: implicit(1, MerchantError) }),
);
export type PurchaseOutcome = Infer<typeof PurchaseOutcome>;

export const TransactionPhase = named(
  "TransactionPhase",
  enumerated({ initialized: 0, purchaseSent: 1, declined: 2, completed: 3 }),
);
export type TransactionPhase = Infer<typeof TransactionPhase>;

export const TransactionSummary = named(
  "TransactionSummary",
  sequence({
    xid: xid(),
    merchantName: utf8(1, 50),
    merID: visible(1, 30),
    phase: TransactionPhase,
    at: generalizedTime(),
    purchAmt: optional(implicit(0, CurrencyAmount)),
    completionCode: optional(implicit(1, CompletionCode)),
    error: optional(implicit(2, ErrorCode)),
  }),
);
export type TransactionSummary = Infer<typeof TransactionSummary>;

export const CardStatus = named(
  "CardStatus",
  sequence({
    pinTriesLeft: integer({ min: 0, max: 15 }),
    locked: boolean(),
    transaction: optional(implicit(0, TransactionSummary)),
    lastTransaction: optional(implicit(1, TransactionSummary)),
  }),
);
export type CardStatus = Infer<typeof CardStatus>;

export const SetCheckFailure = named(
  "SetCheckFailure",
  sequence({ errorCode: ErrorCode, message: utf8(1, 300) }),
);
export type SetCheckFailure = Infer<typeof SetCheckFailure>;

export const SessionContext = named(
  "SessionContext",
  sequence({ runId: optional(implicit(0, visible(1, 100))) }),
);
export type SessionContext = Infer<typeof SessionContext>;

export const OutOfOrderReason = named("OutOfOrderReason", enumerated({ cardholderDeclined: 1 }));
export type OutOfOrderReason = Infer<typeof OutOfOrderReason>;

/**
 * Every type of SetLabCard.asn with the most octets its DER may take (its bounds: UTF8String
 * counts characters, up to 4 octets each). Input longer than that is refused unread.
 */
export const cardDataTypes = {
  PInitRequestInput: { codec: PInitRequestInput, maxBytes: 128 },
  // The largest OD, the amount and flags, and the installment or recurring terms (at most 512).
  PurchaseInput: { codec: PurchaseInput, maxBytes: MAX_ORDER_DESCRIPTION + 64 + 516 },
  InquiryInput: { codec: InquiryInput, maxBytes: 32 },
  SelectAnswer: { codec: SelectAnswer, maxBytes: 128 },
  PInitResAnswer: { codec: PInitResAnswer, maxBytes: 4 * 1074 + 80 },
  PurchaseOutcome: { codec: PurchaseOutcome, maxBytes: 64 },
  TransactionSummary: { codec: TransactionSummary, maxBytes: 4 * 50 + 120 },
  CardStatus: { codec: CardStatus, maxBytes: 2 * (4 * 50 + 120) + 16 },
  SetCheckFailure: { codec: SetCheckFailure, maxBytes: 4 * 300 + 16 },
  SessionContext: { codec: SessionContext, maxBytes: 128 },
  OutOfOrderReason: { codec: OutOfOrderReason, maxBytes: 3 },
} as const;

export type CardDataType = keyof typeof cardDataTypes;
export type CardDataValue<K extends CardDataType> = Infer<(typeof cardDataTypes)[K]["codec"]>;

/** DER of a card data value; a value outside its type is a CardDataError (nothing is sent). */
export function encodeCardData<K extends CardDataType>(type: K, value: CardDataValue<K>): Uint8Array {
  try {
    return encodeDer(cardDataTypes[type].codec as never, value as never);
  } catch (e) {
    throw new CardDataError("unspecifiedFailure", `cannot encode ${type}: ${(e as Error).message}`, type);
  }
}

/**
 * Read card data strictly: exactly one DER value of the type, no trailing bytes, every bound
 * checked. Too many octets is refused before parsing (6700, messageTooBig); anything else unreadable
 * is a CardDataError with 6A80 and decodingFailure.
 */
export function decodeCardData<K extends CardDataType>(type: K, bytes: Uint8Array): CardDataValue<K> {
  const { codec, maxBytes } = cardDataTypes[type];
  if (bytes.length > maxBytes)
    throw new CardDataError("messageTooBig", `${type} over ${maxBytes} octets`, type);
  try {
    return decodeDer(codec as never, bytes, type) as CardDataValue<K>;
  } catch (e) {
    // decodeDer turns every failure into a DecodeError; it becomes the card's typed error here.
    const where = e instanceof SetError ? e.where : undefined;
    throw new CardDataError("decodingFailure", (e as Error).message, where ?? type);
  }
}
