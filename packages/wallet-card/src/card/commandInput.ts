/**
 * The JSON inputs of PINIT_REQUEST and PURCHASE, read strictly: anything else is 6A80 (bad data)
 * before the card does any work.
 */
import { CardLinkError, SW, type schema } from "@setlab/protocol";

export interface PInitRequestInput {
  readonly lidM?: string;
  readonly language?: string;
  readonly brand: string;
}

export type PurchaseProfile = "set" | "hardened";
export type PurchaseForm = "dualSigned" | "unsigned";

export interface PurchaseInput {
  readonly od: Uint8Array;
  readonly purchAmt: schema.CurrencyAmount;
  readonly profile: PurchaseProfile;
  readonly form: PurchaseForm;
}

const bad = (message: string) => new CardLinkError(SW.BAD_DATA, message);

function jsonObject(data: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch {
    throw bad(`${what} data is not UTF-8 JSON`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw bad(`${what} data is not an object`);
  return value as Record<string, unknown>;
}

function optionalString(o: Record<string, unknown>, key: string, pattern: RegExp): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !pattern.test(v)) throw bad(`${key} is not a valid string`);
  return v;
}

/** VisibleString, as LocalID, Language and BrandID allow. */
const visible = (max: number) => new RegExp(`^[\\x20-\\x7e]{1,${max}}$`);

export function readPInitRequestInput(data: Uint8Array): PInitRequestInput {
  const o = jsonObject(data, "PINIT_REQUEST");
  const brand = optionalString(o, "brand", visible(40));
  if (brand === undefined) throw bad("brand is missing");
  return {
    brand,
    lidM: optionalString(o, "lidM", visible(20)),
    language: optionalString(o, "language", visible(35)),
  };
}

const safeInt = (v: unknown, min: number, max: number) =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max;

function readAmount(v: unknown): schema.CurrencyAmount {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw bad("purchAmt is not an object");
  const a = v as Record<string, unknown>;
  if (!safeInt(a.currency, 1, 999)) throw bad("purchAmt.currency is not an ISO 4217 numeric code");
  if (!safeInt(a.amount, 0, Number.MAX_SAFE_INTEGER))
    throw bad("purchAmt.amount is not a non-negative integer");
  const amtExp10 = a.amtExp10 ?? 0;
  if (!safeInt(amtExp10, -18, 18)) throw bad("purchAmt.amtExp10 is out of range");
  return { currency: a.currency as number, amount: a.amount as number, amtExp10: amtExp10 as number };
}

export function readPurchaseInput(data: Uint8Array): PurchaseInput {
  const o = jsonObject(data, "PURCHASE");
  if (typeof o.od !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(o.od) || o.od.length % 4 !== 0)
    throw bad("od is not base64");
  const od = new Uint8Array(Buffer.from(o.od, "base64"));
  if (od.length === 0) throw bad("od is empty");
  const profile = o.profile ?? "set";
  if (profile !== "set" && profile !== "hardened") throw bad('profile is not "set" or "hardened"');
  const form = o.form ?? "dualSigned";
  if (form !== "dualSigned" && form !== "unsigned") throw bad('form is not "dualSigned" or "unsigned"');
  return { od, purchAmt: readAmount(o.purchAmt), profile, form };
}

/** Two PURCHASE inputs ask for the same thing (a re-sent command, not a new purchase). */
export function samePurchase(a: PurchaseInput, b: PurchaseInput): boolean {
  return (
    Buffer.from(a.od).equals(Buffer.from(b.od)) &&
    a.purchAmt.currency === b.purchAmt.currency &&
    a.purchAmt.amount === b.purchAmt.amount &&
    a.purchAmt.amtExp10 === b.purchAmt.amtExp10 &&
    a.profile === b.profile &&
    a.form === b.form
  );
}
