/**
 * What the card's answers mean to the user: a status word other than 9000 becomes one clear
 * refusal reason, and the data the card returns for SELECT, PINIT_RESPONSE and PURCHASE_RESPONSE
 * is read strictly as its SetLabCard.asn type (docs/card-link.md, "Card command data"). Pure functions; nothing here sees a PIN.
 */
import {
  type CardDataType,
  type CardDataValue,
  decodeCardData,
  INS,
  type InsName,
  insName,
  pinTriesLeft,
  SW,
  type schema,
  swName,
  toHex,
} from "@setlab/protocol/relay";

/** A reason the flow stops, and whether a party refused (card, merchant) or something failed. */
export class PurchaseStop extends Error {
  override readonly name = "PurchaseStop";
  constructor(
    readonly kind: "refused" | "failed",
    message: string,
  ) {
    super(message);
  }
}

function commandName(ins: number): InsName | string {
  return insName(ins) ?? `INS ${ins.toString(16).toUpperCase().padStart(2, "0")}`;
}

/** The SET ErrorCode and text a card sends with 6F00 (SetLabCard.asn SetCheckFailure), if readable. */
export function setCheckOf(data: Uint8Array): { code: string; message?: string } | undefined {
  try {
    const failure = decodeCardData("SetCheckFailure", data);
    return { code: failure.errorCode, message: failure.message };
  } catch {
    return undefined;
  }
}

/** Why a command is out of order (6985), when the card says (SetLabCard.asn OutOfOrderReason). */
function outOfOrderOf(data: Uint8Array): string | undefined {
  if (data.length === 0) return undefined;
  try {
    return decodeCardData("OutOfOrderReason", data) === "cardholderDeclined"
      ? "cardholderDeclined (the cardholder declined)"
      : undefined;
  } catch {
    return undefined;
  }
}

/** The refusal reason for a status word other than 9000 in answer to `ins`. */
export function refusalReason(ins: number, sw: number, data: Uint8Array, cardId?: string): string {
  const name = commandName(ins);
  const tries = pinTriesLeft(sw);
  if (tries !== undefined)
    return tries === 0
      ? "wrong PIN: no tries left, the card's PIN is now blocked"
      : `wrong PIN: ${tries} ${tries === 1 ? "try" : "tries"} left`;
  // The mediator wrote the InquiryInput itself: a 6A80 to it means the XID is not in the card's memory.
  if (ins === INS.INQUIRY_REQUEST && sw === SW.BAD_DATA)
    return "the card does not remember that purchase (6A80): another card paid it, or it is older than the card's last 8";
  switch (sw) {
    case SW.PIN_BLOCKED:
      return "the card's PIN is blocked";
    case SW.PIN_NOT_VERIFIED:
      return `the card refused ${name}: the PIN was not verified (give the PIN)`;
    case SW.NO_SUCH_CARD:
      return cardId === undefined ? "no such card on the phone" : `no card "${cardId}" on the phone`;
    case SW.OUT_OF_ORDER:
      return `the card refused ${name}: ${outOfOrderOf(data) ?? "command out of order"}`;
    case SW.SET_CHECK_FAILED: {
      const check = setCheckOf(data);
      return `the card refused ${name}: ${check ? describe(check) : "a SET check failed"}`;
    }
    default:
      return `the card refused ${name}: status ${sw.toString(16).toUpperCase().padStart(4, "0")} (${swName(sw)})`;
  }
}

/** Stop with a refusal unless the card answered 9000. */
export function expectOk(ins: number, answer: { sw: number; data: Uint8Array }, cardId?: string): Uint8Array {
  if (answer.sw !== SW.OK)
    throw new PurchaseStop("refused", refusalReason(ins, answer.sw, answer.data, cardId));
  return answer.data;
}

function describe(check: { code: string; message?: string }): string {
  return `${check.code}${check.message ? ` (${oneLine(check.message)})` : ""}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").slice(0, 300);
}

/** Card data that does not read as its type: the card (or something posing as it) is broken. */
function answer<K extends CardDataType>(ins: number, type: K, data: Uint8Array): CardDataValue<K> {
  try {
    return decodeCardData(type, data);
  } catch (e) {
    throw new PurchaseStop(
      "failed",
      `the card answered ${commandName(ins)} with data that is not a ${type}: ${oneLine((e as Error).message)}`,
    );
  }
}

/** SELECT: the card's brand, BIN and language. The BIN stays here; only the brand and language go on. */
export interface SelectAnswer {
  readonly brand: string;
  readonly language: string;
}

export function readSelect(data: Uint8Array): SelectAnswer {
  const { brand, language } = answer(INS.SELECT, "SelectAnswer", data);
  return { brand, language };
}

/** PINIT_RESPONSE: the card accepted the merchant's PInitRes. */
export interface PInitResAnswer {
  readonly merchantName: string;
  readonly merID: string;
  readonly gateway: string;
  /** The XID, hex. */
  readonly xid: string;
}

export function readPInitResAnswer(data: Uint8Array): PInitResAnswer {
  const a = answer(INS.PINIT_RESPONSE, "PInitResAnswer", data);
  return { ...a, xid: toHex(a.xid) };
}

/** PURCHASE_RESPONSE: the purchase's outcome as the card read it from the merchant's PRes. */
export interface PResAnswer {
  readonly completionCode?: schema.CompletionCode;
  readonly authAmt?: schema.CurrencyAmount;
  /** The merchant's SET Error, one line. */
  readonly error?: string;
}

/** PURCHASE_RESPONSE's answer, or INQUIRY_RESPONSE's (the same PurchaseOutcome). */
export function readPResAnswer(data: Uint8Array, ins: number = INS.PURCHASE_RESPONSE): PResAnswer {
  const outcome = answer(ins, "PurchaseOutcome", data);
  if (outcome.type === "error")
    return {
      error: `${outcome.value.errorCode} (${outcome.value.signed ? "signed" : "unsigned"} SET Error)`,
    };
  const { completionCode, authAmt } = outcome.value;
  return { completionCode, ...(authAmt ? { authAmt } : {}) };
}

export type Completion = "approved" | "partiallyApproved" | "declined" | "orderReceived";

/**
 * The user's outcome from the PRes: an authorization (or capture) performed is approved when
 * AuthStatus.AuthAmt is the amount of the purchase (or absent), partiallyApproved when it is
 * another amount (SET's AuthAmt: the issuer approved less than asked); an order the merchant only
 * received is orderReceived; anything else (orderRejected: the issuer declined) is declined.
 */
export function completionOf(answer: PResAnswer, purchAmt?: schema.CurrencyAmount): Completion {
  switch (answer.completionCode) {
    case "authorizationPerformed":
    case "capturePerformed": {
      const a = answer.authAmt;
      const whole =
        !a ||
        !purchAmt ||
        (a.amount === purchAmt.amount &&
          a.amtExp10 === purchAmt.amtExp10 &&
          a.currency === purchAmt.currency);
      return whole ? "approved" : "partiallyApproved";
    }
    case "orderReceived":
      return "orderReceived";
    default:
      return "declined";
  }
}
