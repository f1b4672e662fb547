/**
 * An order as a shop asks for it (`Merchant.createOrder`, and the JSON body of `POST /orders`),
 * checked before anything is stored: `{description, amount, currency, amtExp10?, brand?, profile?,
 * reference?, metadata?, firstShipmentAmount?, terms?}`. The limits are those of SET's own types (CurrencyAmount, OD), so an
 * accepted order can always be paid; the shop's metadata is bounded so an order row stays small.
 */
import { currencyByCode, toMinorUnits } from "@setlab/protocol";
import { InputError } from "./inputError";
import type { NewOrder } from "./order";
import { type OrderTerms, OrderTermsError, parseOrderTerms } from "./orderTerms";

/** What a shop passes to `createOrder`. */
export interface OrderInput {
  readonly description: string;
  /** In units of 10^amtExp10 of the currency: 500 with amtExp10 0 is 500 yen; 1999 with -2 is $19.99. */
  readonly amount: number;
  /** ISO 4217 numeric code: 392 JPY, 840 USD, 978 EUR. */
  readonly currency: number;
  readonly amtExp10?: number;
  readonly brand?: string;
  readonly profile?: "set" | "hardened" | "embodiment-1" | "embodiment-2";
  /** The shop's own order number; events and order views carry it. */
  readonly reference?: string;
  /** The shop's own key-value pairs (strings), at most `maxMetadataBytes` as JSON. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** A split shipment: the first authorization is for this much of `amount` (same units). */
  readonly firstShipmentAmount?: number;
  /** Installment or recurring terms the buyer agrees to (./orderTerms.ts). */
  readonly terms?: OrderTerms;
}

/** The stable codes of `OrderInputError`: a shop may branch on them; the messages may change. */
export type OrderInputErrorCode =
  | "notAnObject"
  | "unknownField"
  | "invalidDescription"
  | "invalidAmount"
  | "invalidCurrency"
  | "invalidAmtExp10"
  | "amountPrecision"
  | "invalidBrand"
  | "invalidProfile"
  | "invalidFirstShipmentAmount"
  | "invalidTerms"
  | "invalidReference"
  | "invalidMetadata"
  | "metadataTooLarge"
  | "invalidIdempotencyKey"
  | "idempotencyKeyReused";

export class OrderInputError extends InputError<OrderInputErrorCode> {
  override readonly name = "OrderInputError";
}

/** The shop's metadata as JSON, and its reference: bounded, so an order row stays small. */
export const maxMetadataBytes = 2048;
export const maxReferenceLength = 128;
export const maxIdempotencyKeyLength = 255;

/** OD travels in the initiation object and in the card's PURCHASE command: keep it modest. */
export const maxDescriptionBytes = 4096;

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

export function parseNewOrder(body: unknown, brands: readonly string[]): NewOrder {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new OrderInputError("notAnObject", "the order must be a JSON object");
  const o = body as Record<string, unknown>;
  const known = [
    "description",
    "amount",
    "currency",
    "amtExp10",
    "brand",
    "profile",
    "reference",
    "metadata",
    "firstShipmentAmount",
    "terms",
  ];
  const extra = Object.keys(o).filter((k) => !known.includes(k));
  if (extra.length > 0) throw new OrderInputError("unknownField", `unknown field ${extra[0]}`);
  const { description, amount, currency } = o;
  if (typeof description !== "string" || description.trim().length === 0)
    throw new OrderInputError("invalidDescription", "description must be a non-empty string");
  if (Buffer.byteLength(description, "utf8") > maxDescriptionBytes)
    throw new OrderInputError(
      "invalidDescription",
      `description must be at most ${maxDescriptionBytes} bytes`,
    );
  if (!isInt(amount) || amount <= 0 || Object.is(amount, -0))
    throw new OrderInputError("invalidAmount", "amount must be a positive integer");
  if (!isInt(currency) || !currencyByCode(currency))
    throw new OrderInputError(
      "invalidCurrency",
      "currency must be the ISO 4217 numeric code of a currency in circulation (392 for JPY)",
    );
  const amtExp10 = o.amtExp10 ?? 0;
  if (!isInt(amtExp10) || amtExp10 < -18 || amtExp10 > 18)
    throw new OrderInputError("invalidAmtExp10", "amtExp10 must be an integer in -18..18");
  if (!toMinorUnits({ currency, amount, amtExp10 }).ok)
    throw new OrderInputError("amountPrecision", "the amount is a fraction of the currency's minor unit");
  let brand: string | undefined;
  if (o.brand !== undefined) {
    if (typeof o.brand !== "string" || !brands.includes(o.brand))
      throw new OrderInputError("invalidBrand", `brand must be one of ${brands.join(", ")}`);
    brand = o.brand;
  }
  const profile = o.profile ?? "set";
  if (profile !== "set" && profile !== "hardened" && profile !== "embodiment-1" && profile !== "embodiment-2")
    throw new OrderInputError(
      "invalidProfile",
      'profile must be "set", "hardened", "embodiment-1" or "embodiment-2"',
    );
  const first = o.firstShipmentAmount;
  if (first !== undefined && (!isInt(first) || first <= 0 || first > amount))
    throw new OrderInputError(
      "invalidFirstShipmentAmount",
      "firstShipmentAmount must be a positive integer no larger than amount",
    );
  let terms: OrderTerms | undefined;
  try {
    terms = parseOrderTerms(o.terms);
  } catch (e) {
    if (!(e instanceof OrderTermsError)) throw e;
    throw new OrderInputError("invalidTerms", e.message);
  }
  if (terms && first !== undefined)
    throw new OrderInputError("invalidTerms", "an order with terms is not a split shipment");
  // The embodiments carry no InstallRecurData: the card could not sign the terms.
  if (terms && (profile === "embodiment-1" || profile === "embodiment-2"))
    throw new OrderInputError("invalidTerms", "terms go with a SET profile (set or hardened) only");
  const reference = parseReference(o.reference);
  const metadata = parseMetadata(o.metadata);
  return {
    description,
    purchAmt: { currency, amount, amtExp10 },
    ...(brand ? { brand } : {}),
    profile,
    ...(reference !== undefined ? { reference } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    ...(first !== undefined ? { firstShipmentAmount: first } : {}),
    ...(terms ? { terms } : {}),
  };
}

function parseReference(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (
    typeof v !== "string" ||
    v.length === 0 ||
    v.length > maxReferenceLength ||
    [...v].some((c) => c.charCodeAt(0) < 0x20)
  )
    throw new OrderInputError(
      "invalidReference",
      `reference must be 1 to ${maxReferenceLength} characters without control characters`,
    );
  return v;
}

function parseMetadata(v: unknown): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new OrderInputError("invalidMetadata", "metadata must be an object of string values");
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== "string")
      throw new OrderInputError("invalidMetadata", `metadata.${k} must be a string`);
    out[k] = value;
  }
  if (Buffer.byteLength(JSON.stringify(out), "utf8") > maxMetadataBytes)
    throw new OrderInputError(
      "metadataTooLarge",
      `metadata must be at most ${maxMetadataBytes} bytes as JSON`,
    );
  return out;
}

/** An idempotency key: 1 to 255 visible ASCII characters (a UUID fits). */
export function checkIdempotencyKey(key: string): void {
  if (typeof key !== "string" || !/^[\x21-\x7e]{1,255}$/.test(key))
    throw new OrderInputError(
      "invalidIdempotencyKey",
      `an idempotency key is 1 to ${maxIdempotencyKeyLength} visible ASCII characters`,
    );
}
