/**
 * The merchants the acquirer has enrolled, per brand: a merchant certificate proves who the
 * merchant is, not that this acquirer does business with it, so the gateway serves only the
 * merIDs listed for the brand of the AuthReq. `set-gateway serve` takes the list from the lab PKI
 * (`enrolledMerchantsFrom`) unless `--enrolled FILE` gives one.
 */

/** BrandID -> the merIDs enrolled for that brand. A brand that is absent has none. */
export type EnrolledMerchants = Readonly<Record<string, readonly string[]>>;

/** The merIDs enrolled for `brand`. */
export const enrolledFor = (enrolled: EnrolledMerchants, brand: string): readonly string[] =>
  Object.hasOwn(enrolled, brand) ? enrolled[brand] : [];

/**
 * The `--enrolled` file: a JSON object of BrandID to an array of merIDs, e.g.
 * `{"Visa": ["SETLAB-MER-0001"], "MasterCard": []}`. Throws with the reason on anything else.
 */
export function parseEnrolledMerchants(text: string): EnrolledMerchants {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("the enrolled-merchants file is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error("the enrolled-merchants file must be an object of BrandID to merIDs");
  const out: Record<string, readonly string[]> = {};
  for (const [brand, merIDs] of Object.entries(value)) {
    if (!Array.isArray(merIDs) || merIDs.some((m) => typeof m !== "string" || m.length === 0))
      throw new Error(`the enrolled merchants of ${brand} must be an array of merIDs`);
    out[brand] = merIDs as string[];
  }
  return out;
}
