/**
 * The JSON amount of the admin routes that take one (capture, authorization reversal): `{}` is no
 * amount; `{amount, amtExp10?}` is amount x 10^amtExp10 in the order's currency. Anything else is
 * refused with the route's own input error, so each route answers in its own terms.
 */
import type { schema } from "@setlab/protocol";

export function parseAmountBody(
  body: unknown,
  currency: number,
  refuse: (message: string) => Error,
  options: { readonly nonNegative?: boolean } = {},
): schema.CurrencyAmount | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== "object" || Array.isArray(body)) throw refuse("the body must be a JSON object");
  const o = body as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => k !== "amount" && k !== "amtExp10");
  if (unknown.length > 0) throw refuse(`unknown field ${unknown[0]}`);
  if (o.amount === undefined) {
    if (o.amtExp10 !== undefined) throw refuse("amtExp10 without an amount");
    return undefined;
  }
  const amtExp10 = o.amtExp10 ?? 0;
  if (
    !Number.isSafeInteger(o.amount) ||
    (options.nonNegative && (o.amount as number) < 0) ||
    !Number.isSafeInteger(amtExp10) ||
    (amtExp10 as number) < -18 ||
    (amtExp10 as number) > 18
  )
    throw refuse(
      `amount must be an integer${options.nonNegative ? " of 0 or more" : ""}, amtExp10 an integer in -18..18`,
    );
  return { currency, amount: o.amount as number, amtExp10: amtExp10 as number };
}
