/**
 * What the card's answers mean to the user: a status word other than 9000 becomes one clear
 * refusal reason, and the JSON the card returns for SELECT, PINIT_RESPONSE and PURCHASE_RESPONSE
 * is read strictly (docs/purchase-flow.md, "Card link"). Pure functions; nothing here sees a PIN.
 */
import { type InsName, insName, pinTriesLeft, SW, schema, swName } from "@setlab/protocol";

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

/** The SET ErrorCode and text a card sends with 6F00 (JSON `{code, message}`), if readable. */
export function setCheckOf(data: Uint8Array): { code: string; message?: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(data).toString("utf8")) as { code?: unknown; message?: unknown };
    if (typeof v?.code !== "string" && typeof v?.code !== "number") return undefined;
    return { code: String(v.code), message: typeof v.message === "string" ? v.message : undefined };
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
  switch (sw) {
    case SW.PIN_BLOCKED:
      return "the card's PIN is blocked";
    case SW.PIN_NOT_VERIFIED:
      return `the card refused ${name}: the PIN was not verified (give the PIN)`;
    case SW.NO_SUCH_CARD:
      return cardId === undefined ? "no such card on the phone" : `no card "${cardId}" on the phone`;
    case SW.OUT_OF_ORDER: {
      const check = setCheckOf(data);
      return `the card refused ${name}: ${check ? describe(check) : "command out of order"}`;
    }
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

function jsonObject(ins: number, data: Uint8Array): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(data).toString("utf8"));
  } catch {
    v = undefined;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new PurchaseStop(
      "failed",
      `the card answered ${commandName(ins)} with data that is not a JSON object`,
    );
  return v as Record<string, unknown>;
}

function text(ins: number, v: Record<string, unknown>, field: string, optional = false): string | undefined {
  const value = v[field];
  if (value === undefined && optional) return undefined;
  if (typeof value !== "string" || value.length === 0)
    throw new PurchaseStop("failed", `the card answered ${commandName(ins)} without ${field}`);
  return value;
}

/** SELECT: `{brand, bin, language}`. The BIN stays here; only the brand and language go on. */
export interface SelectAnswer {
  readonly brand: string;
  readonly language?: string;
}

export function readSelect(data: Uint8Array): SelectAnswer {
  const v = jsonObject(0xa4, data);
  return { brand: text(0xa4, v, "brand")!, language: text(0xa4, v, "language", true) };
}

/** PINIT_RESPONSE: the card accepted the merchant's PInitRes. */
export interface PInitResAnswer {
  readonly merchantName?: string;
  readonly merID?: string;
  readonly gateway?: string;
  readonly xid?: string;
}

export function readPInitResAnswer(data: Uint8Array): PInitResAnswer {
  const v = jsonObject(0x52, data);
  return {
    merchantName: text(0x52, v, "merchantName", true),
    merID: text(0x52, v, "merID", true),
    gateway: text(0x52, v, "gateway", true),
    xid: text(0x52, v, "xid", true),
  };
}

/** PURCHASE_RESPONSE: the purchase's outcome as the card read it from the merchant's PRes. */
export interface PResAnswer {
  readonly completionCode?: string;
  readonly authCode?: string;
  readonly authAmt?: unknown;
  readonly error?: string;
}

export function readPResAnswer(data: Uint8Array): PResAnswer {
  const v = jsonObject(0x56, data);
  let error: string | undefined;
  if (v.error !== undefined && v.error !== null) {
    if (typeof v.error === "string") error = oneLine(v.error);
    else if (typeof v.error === "object") {
      const e = v.error as { code?: unknown; message?: unknown };
      error = [e.code, e.message].filter((x) => typeof x === "string" || typeof x === "number").join(": ");
      error = oneLine(error || "error");
    } else error = "error";
  }
  const completionCode = text(0x56, v, "completionCode", true);
  if (completionCode === undefined && error === undefined)
    throw new PurchaseStop("failed", "the card answered PURCHASE_RESPONSE without completionCode");
  return { completionCode, authCode: text(0x56, v, "authCode", true), authAmt: v.authAmt, error };
}

export type Completion = "approved" | "declined" | "orderReceived";

/** The names of SET's AuthCode, read from the schema so that the two cannot drift. */
export const authCodeNames: readonly string[] = (() => {
  const spec = schema.AuthCode.spec as unknown as { inner?: { spec?: { values?: Record<string, number> } } };
  return Object.keys(spec.inner?.spec?.values ?? {});
})();

/** An AuthCode other than approved is a decline; anything else (an approval code) is not. */
function isDeclineCode(authCode: string | undefined): boolean {
  return authCode !== undefined && authCode !== "approved" && authCodeNames.includes(authCode);
}

/**
 * The user's outcome from the PRes: an authorization (or capture) performed and not declined is
 * approved; an order the merchant only received is orderReceived; anything else is declined.
 */
export function completionOf(answer: PResAnswer): Completion {
  const declinedCode = isDeclineCode(answer.authCode);
  switch (answer.completionCode) {
    case "authorizationPerformed":
    case "capturePerformed":
      return declinedCode ? "declined" : "approved";
    case "orderReceived":
      return declinedCode ? "declined" : "orderReceived";
    default:
      return "declined";
  }
}
