/**
 * The JSON body of `POST /orders`, checked before anything is stored: `{description, amount,
 * currency, amtExp10?, brand?, profile?}`. The limits are those of SET's own types (CurrencyAmount, OD), so
 * an accepted order can always be paid.
 */
import type { NewOrder } from "./order";

export class OrderInputError extends Error {
  override readonly name = "OrderInputError";
}

/** OD travels in the initiation object and in the card's PURCHASE command: keep it modest. */
export const maxDescriptionBytes = 4096;

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

export function parseNewOrder(body: unknown, brands: readonly string[]): NewOrder {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new OrderInputError("the order must be a JSON object");
  const o = body as Record<string, unknown>;
  const known = ["description", "amount", "currency", "amtExp10", "brand", "profile"];
  const extra = Object.keys(o).filter((k) => !known.includes(k));
  if (extra.length > 0) throw new OrderInputError(`unknown field ${extra[0]}`);
  const { description, amount, currency } = o;
  if (typeof description !== "string" || description.trim().length === 0)
    throw new OrderInputError("description must be a non-empty string");
  if (Buffer.byteLength(description, "utf8") > maxDescriptionBytes)
    throw new OrderInputError(`description must be at most ${maxDescriptionBytes} bytes`);
  if (!isInt(amount) || amount < 0) throw new OrderInputError("amount must be a non-negative integer");
  if (!isInt(currency) || currency < 1 || currency > 999)
    throw new OrderInputError("currency must be an ISO 4217 numeric code (1..999)");
  const amtExp10 = o.amtExp10 ?? 0;
  if (!isInt(amtExp10) || amtExp10 < -18 || amtExp10 > 18)
    throw new OrderInputError("amtExp10 must be an integer in -18..18");
  let brand: string | undefined;
  if (o.brand !== undefined) {
    if (typeof o.brand !== "string" || !brands.includes(o.brand))
      throw new OrderInputError(`brand must be one of ${brands.join(", ")}`);
    brand = o.brand;
  }
  const profile = o.profile ?? "set";
  if (profile !== "set" && profile !== "hardened")
    throw new OrderInputError('profile must be "set" or "hardened"');
  return { description, purchAmt: { currency, amount, amtExp10 }, ...(brand ? { brand } : {}), profile };
}
