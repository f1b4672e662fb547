/**
 * The initiation object (docs/purchase-flow.md, "The initiation object"): what the shop's checkout
 * page hands to the mediator as `application/set-payment-initiation` to start a purchase (patent
 * steps S1-S4). SET's External Interface Guide defined the real one and is lost; this JSON is the
 * lab's contract between merchant and mediator, written and read only here. Reading is strict:
 * every field either party relies on is checked, and the first bad one is named in an
 * InitiationError.
 */
import { SetError } from "./errors";
import { type InstallRecurTerms, InstallRecurTermsError, readInstallRecurTerms } from "./installRecurTerms";
import type { CurrencyAmount } from "./schema/common";

export const initiationFormat = "setlab-initiation/1";

/** The largest initiation object accepted, in bytes of JSON text. */
export const maxInitiationBytes = 64 * 1024;

/** More brands than a shop could take: a bound, so a hostile list costs nothing. */
export const maxInitiationBrands = 32;

/**
 * `set` and `hardened` run SET (the patent's third embodiment); `embodiment-1` runs the patent's
 * first embodiment, which gives the shop the card information (docs/threat-model.md), and
 * `embodiment-2` its second (the order confirmed on the PC under the non-forward flag).
 */
export type InitiationProfile = "set" | "hardened" | "embodiment-1" | "embodiment-2";
export const initiationProfiles: readonly InitiationProfile[] = [
  "set",
  "hardened",
  "embodiment-1",
  "embodiment-2",
];

/** The profiles that run the patent's embodiment messages (at `embodimentUrl`), not SET. */
export const isEmbodimentProfile = (profile: InitiationProfile): boolean =>
  profile === "embodiment-1" || profile === "embodiment-2";

/** The profiles that run SET (the card's PURCHASE takes these). */
export type SetProfile = Extract<InitiationProfile, "set" | "hardened">;

/** The SET profile of an initiation object; an embodiment profile has no SET purchase (messageNotSupported). */
export function setProfileOf(profile: InitiationProfile): SetProfile {
  if (profile === "set" || profile === "hardened") return profile;
  throw new SetError("messageNotSupported", `profile ${profile} does not run SET`, "initiation.profile");
}

export interface Initiation {
  readonly format: typeof initiationFormat;
  /** Where the merchant takes SET messages (`POST /set`). */
  readonly setUrl: string;
  /** Where the merchant takes the embodiment messages (`POST /set/embodiment`); with an embodiment profile only. */
  readonly embodimentUrl?: string;
  readonly orderUrl?: string;
  /** The brands the shop accepts. */
  readonly brands: readonly string[];
  /** The merchant's LID-M for this order (a LocalID: 1..20 bytes of UTF-8). */
  readonly lidM: string;
  /** PurchAmt: ISO 4217 numeric currency, integer amount, decimal exponent. */
  readonly purchAmt: CurrencyAmount;
  /** Base64 of the order description (OD). */
  readonly od: string;
  readonly language: string;
  readonly profile: InitiationProfile;
  /** Brands for which the shop takes the unsigned PReq (cardCertRequired false). */
  readonly unsignedAllowed: readonly string[];
  readonly returnUrl?: string;
  /**
   * Installment or recurring terms of the order: the mediator has the card sign them (the
   * card shows them to the buyer first); the merchant's HOD check expects exactly these.
   */
  readonly terms?: InstallRecurTerms;
}

/**
 * A bad or unreadable initiation object. `where` names the field (`initiation.lidM`); the code is
 * `decodingFailure` for a bad object, another code where the object could not be had at all.
 */
export class InitiationError extends SetError {
  override readonly name = "InitiationError";
  constructor(
    message: string,
    where = "initiation",
    code: "decodingFailure" | "unspecifiedFailure" = "decodingFailure",
  ) {
    super(code, message, where);
  }
}

type Json = Record<string, unknown>;

function fail(field: string, message: string): never {
  throw new InitiationError(message, field ? `initiation.${field}` : "initiation");
}

function httpUrl(value: unknown, field: string): string {
  if (typeof value !== "string") fail(field, `${field} must be a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(field, `${field} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(field, `${field} must be an http(s) URL`);
  return value;
}

function brandList(value: unknown, field: string, allowEmpty: boolean): string[] {
  if (!Array.isArray(value)) fail(field, `${field} must be an array of brand names`);
  if (!allowEmpty && value.length === 0) fail(field, `${field} must name at least one brand`);
  if (value.length > maxInitiationBrands)
    fail(field, `${field} names more than ${maxInitiationBrands} brands`);
  // BrandID: VisibleString (SIZE(1..40)).
  for (const b of value)
    if (typeof b !== "string" || !/^[\x20-\x7e]{1,40}$/.test(b))
      fail(field, `${field} must hold brand names (1 to 40 visible ASCII characters)`);
  const brands = value as string[];
  if (new Set(brands).size !== brands.length) fail(field, `${field} names a brand twice`);
  return [...brands];
}

function integerIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max)
    fail(field, `${field} must be an integer from ${min} to ${max}`);
  return value;
}

function purchAmtOf(value: unknown): CurrencyAmount {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail("purchAmt", "purchAmt must be an object {currency, amount, amtExp10}");
  const v = value as Json;
  return {
    currency: integerIn(v.currency, "purchAmt.currency", 1, 999),
    amount: integerIn(v.amount, "purchAmt.amount", 0, Number.MAX_SAFE_INTEGER),
    amtExp10: integerIn(v.amtExp10 ?? 0, "purchAmt.amtExp10", -18, 18),
  };
}

function base64Of(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0) fail(field, `${field} must be non-empty base64`);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value))
    fail(field, `${field} is not canonical base64`);
  return value;
}

function jsonOf(text: string): unknown {
  if (Buffer.byteLength(text, "utf8") > maxInitiationBytes)
    fail("", `the initiation object is over ${maxInitiationBytes} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    fail("", "the initiation object is not JSON");
  }
}

/**
 * Read an initiation object: JSON text, its UTF-8 bytes, or a value already parsed. Throws an
 * InitiationError naming the first bad field.
 */
export function readInitiation(input: unknown): Initiation {
  const value =
    typeof input === "string"
      ? jsonOf(input)
      : input instanceof Uint8Array
        ? jsonOf(Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("utf8"))
        : input;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail("", "the initiation object is not a JSON object");
  const v = value as Json;
  if (v.format !== initiationFormat) fail("format", `format must be "${initiationFormat}"`);
  const setUrl = httpUrl(v.setUrl, "setUrl");
  const orderUrl = v.orderUrl === undefined ? undefined : httpUrl(v.orderUrl, "orderUrl");
  const returnUrl = v.returnUrl === undefined ? undefined : httpUrl(v.returnUrl, "returnUrl");
  const brands = brandList(v.brands, "brands", false);
  // LID-M is a LocalID, 1..20 octets; the card sends it as UTF-8.
  if (typeof v.lidM !== "string" || v.lidM.length === 0 || Buffer.byteLength(v.lidM, "utf8") > 20)
    fail("lidM", "lidM must be a string of 1 to 20 bytes");
  const purchAmt = purchAmtOf(v.purchAmt);
  const od = base64Of(v.od, "od");
  // Language: VisibleString (SIZE(1..35)), e.g. "en" or "ja-JP".
  if (typeof v.language !== "string" || !/^[\x21-\x7e]{1,35}$/.test(v.language))
    fail("language", "language must be a language tag (1 to 35 visible ASCII characters)");
  if (!initiationProfiles.includes(v.profile as InitiationProfile))
    fail("profile", 'profile must be "set", "hardened", "embodiment-1" or "embodiment-2"');
  const profile = v.profile as InitiationProfile;
  const embodimentUrl = v.embodimentUrl === undefined ? undefined : httpUrl(v.embodimentUrl, "embodimentUrl");
  if (isEmbodimentProfile(profile) !== (embodimentUrl !== undefined))
    fail("embodimentUrl", "embodimentUrl is given with an embodiment profile, and only then");
  const unsignedAllowed = brandList(v.unsignedAllowed ?? [], "unsignedAllowed", true);
  for (const b of unsignedAllowed)
    if (!brands.includes(b))
      fail("unsignedAllowed", `unsignedAllowed names "${b}", which is not among brands`);
  let terms: InstallRecurTerms | undefined;
  if (v.terms !== undefined) {
    if (isEmbodimentProfile(profile)) fail("terms", "terms go with a SET profile only");
    try {
      terms = readInstallRecurTerms(v.terms);
    } catch (e) {
      if (e instanceof InstallRecurTermsError) fail("terms", e.message);
      throw e;
    }
  }
  return {
    format: initiationFormat,
    setUrl,
    ...(embodimentUrl === undefined ? {} : { embodimentUrl }),
    ...(orderUrl === undefined ? {} : { orderUrl }),
    brands,
    lidM: v.lidM,
    purchAmt,
    od,
    language: v.language,
    profile,
    unsignedAllowed,
    ...(returnUrl === undefined ? {} : { returnUrl }),
    ...(terms === undefined ? {} : { terms }),
  };
}

/**
 * The JSON text of an initiation object. It goes through the reader first, so a shop never serves
 * an object the mediator would refuse: a bad field throws here, at its source.
 */
export function writeInitiation(initiation: Initiation): string {
  const text = JSON.stringify(readInitiation(initiation));
  if (Buffer.byteLength(text, "utf8") > maxInitiationBytes)
    fail("", `the initiation object is over ${maxInitiationBytes} bytes`);
  return text;
}
