/**
 * The JSON body of `POST /orders`, checked before anything is stored: `{description, amount,
 * currency, amtExp10?, brand?, profile?}`. The limits are those of SET's own types (CurrencyAmount, OD), so
 * an accepted order can always be paid.
 */
import { currencyByCode, toMinorUnits } from "@setlab/protocol";
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
  if (!isInt(amount) || amount <= 0 || Object.is(amount, -0))
    throw new OrderInputError("amount must be a positive integer");
  if (!isInt(currency) || !currencyByCode(currency))
    throw new OrderInputError(
      "currency must be the ISO 4217 numeric code of a currency in circulation (392 for JPY)",
    );
  const amtExp10 = o.amtExp10 ?? 0;
  if (!isInt(amtExp10) || amtExp10 < -18 || amtExp10 > 18)
    throw new OrderInputError("amtExp10 must be an integer in -18..18");
  if (!toMinorUnits({ currency, amount, amtExp10 }).ok)
    throw new OrderInputError("the amount is a fraction of the currency's minor unit");
  let brand: string | undefined;
  if (o.brand !== undefined) {
    if (typeof o.brand !== "string" || !brands.includes(o.brand))
      throw new OrderInputError(`brand must be one of ${brands.join(", ")}`);
    brand = o.brand;
  }
  const profile = o.profile ?? "set";
  if (profile !== "set" && profile !== "hardened" && profile !== "embodiment-1" && profile !== "embodiment-2")
    throw new OrderInputError('profile must be "set", "hardened", "embodiment-1" or "embodiment-2"');
  return { description, purchAmt: { currency, amount, amtExp10 }, ...(brand ? { brand } : {}), profile };
}
