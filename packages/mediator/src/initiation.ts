/**
 * The initiation object (docs/purchase-flow.md, "The initiation object"): the shop's
 * `application/set-payment-initiation` JSON that starts the mediator (patent steps S1-S4). SET's
 * External Interface Guide defined the real one and is lost; this is the lab's. Parsing is strict:
 * every field the mediator relies on is checked, and a bad one is named in a one-line error.
 * Reading an initiation file is the only file access of the package; it writes nothing.
 */
import * as fs from "node:fs";
import { HttpClientError, type HttpResponse, httpRequest, SET_PAYMENT_INITIATION } from "@setlab/runtime";

export const initiationFormat = "setlab-initiation/1";

/** The largest initiation object accepted, from a URL or a file. */
export const maxInitiationBytes = 64 * 1024;

export type Profile = "set" | "hardened";

/** CurrencyAmount: ISO 4217 numeric currency, integer amount, decimal exponent. */
export interface PurchAmt {
  readonly currency: number;
  readonly amount: number;
  readonly amtExp10: number;
}

export interface Initiation {
  readonly format: typeof initiationFormat;
  /** Where the merchant takes SET messages (`POST /set`). */
  readonly setUrl: string;
  readonly orderUrl?: string;
  /** The brands the shop accepts. */
  readonly brands: readonly string[];
  /** The merchant's LID-M for this order (a LocalID: 1..20 bytes). */
  readonly lidM: string;
  readonly purchAmt: PurchAmt;
  /** Base64 of the order description. */
  readonly od: string;
  readonly language: string;
  readonly profile: Profile;
  /** Brands for which the shop takes the unsigned PReq. */
  readonly unsignedAllowed: readonly string[];
  readonly returnUrl?: string;
}

/** A bad or unreadable initiation object: one line for the user, never a stack. */
export class InitiationError extends Error {
  override readonly name = "InitiationError";
}

type Json = Record<string, unknown>;

function fail(message: string): never {
  throw new InitiationError(`initiation object: ${message}`);
}

function httpUrl(value: unknown, field: string): string {
  if (typeof value !== "string") fail(`${field} must be a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${field} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(`${field} must be an http(s) URL`);
  return value;
}

function brandName(value: unknown, field: string): string {
  // BrandID: VisibleString (SIZE(1..40)).
  if (typeof value !== "string" || !/^[\x20-\x7e]{1,40}$/.test(value))
    fail(`${field} must hold brand names (1 to 40 visible ASCII characters)`);
  return value;
}

function brandList(value: unknown, field: string, allowEmpty: boolean): string[] {
  if (!Array.isArray(value)) fail(`${field} must be an array of brand names`);
  if (!allowEmpty && value.length === 0) fail(`${field} must name at least one brand`);
  const brands = value.map((b) => brandName(b, field));
  if (new Set(brands).size !== brands.length) fail(`${field} names a brand twice`);
  return brands;
}

function integerIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max)
    fail(`${field} must be an integer from ${min} to ${max}`);
  return value;
}

function purchAmtOf(value: unknown): PurchAmt {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail("purchAmt must be an object {currency, amount, amtExp10}");
  const v = value as Json;
  return {
    currency: integerIn(v.currency, "purchAmt.currency", 1, 999),
    amount: integerIn(v.amount, "purchAmt.amount", 0, Number.MAX_SAFE_INTEGER),
    amtExp10: integerIn(v.amtExp10 ?? 0, "purchAmt.amtExp10", -18, 18),
  };
}

function base64Of(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0) fail(`${field} must be non-empty base64`);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value))
    fail(`${field} is not canonical base64`);
  return value;
}

/** Check a parsed initiation object; throws InitiationError naming the first bad field. */
export function parseInitiation(input: unknown): Initiation {
  let value = input;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      fail("not JSON");
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("not a JSON object");
  const v = value as Json;
  if (v.format !== initiationFormat) fail(`format must be "${initiationFormat}"`);
  const setUrl = httpUrl(v.setUrl, "setUrl");
  const orderUrl = v.orderUrl === undefined ? undefined : httpUrl(v.orderUrl, "orderUrl");
  const returnUrl = v.returnUrl === undefined ? undefined : httpUrl(v.returnUrl, "returnUrl");
  const brands = brandList(v.brands, "brands", false);
  // LID-M is a LocalID, 1..20 octets; the card sends it as UTF-8.
  if (typeof v.lidM !== "string" || v.lidM.length === 0 || Buffer.byteLength(v.lidM, "utf8") > 20)
    fail("lidM must be a string of 1 to 20 bytes");
  const purchAmt = purchAmtOf(v.purchAmt);
  const od = base64Of(v.od, "od");
  // Language: VisibleString (SIZE(1..35)), e.g. "en" or "ja-JP".
  if (typeof v.language !== "string" || !/^[\x21-\x7e]{1,35}$/.test(v.language))
    fail("language must be a language tag (1 to 35 visible ASCII characters)");
  if (v.profile !== "set" && v.profile !== "hardened") fail('profile must be "set" or "hardened"');
  const unsignedAllowed = brandList(v.unsignedAllowed ?? [], "unsignedAllowed", true);
  for (const b of unsignedAllowed)
    if (!brands.includes(b)) fail(`unsignedAllowed names "${b}", which is not among brands`);
  return {
    format: initiationFormat,
    setUrl,
    ...(orderUrl === undefined ? {} : { orderUrl }),
    brands,
    lidM: v.lidM,
    purchAmt,
    od,
    language: v.language,
    profile: v.profile,
    unsignedAllowed,
    ...(returnUrl === undefined ? {} : { returnUrl }),
  };
}

export interface LoadInitiationOptions {
  /** For a URL: abort after this many milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  readonly runId?: string;
}

/** Load an initiation object from an http(s) URL or a file path, then check it. */
export async function loadInitiation(
  source: string,
  options: LoadInitiationOptions = {},
): Promise<Initiation> {
  if (/^https?:\/\//i.test(source)) return parseInitiation(await fetchInitiation(source, options));
  return parseInitiation(readInitiationFile(source));
}

function readInitiationFile(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    throw new InitiationError(`cannot read initiation file ${file}: ${(e as NodeJS.ErrnoException).code}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new InitiationError(`initiation file ${file} is not a regular file`);
    if (stat.size > maxInitiationBytes)
      throw new InitiationError(`initiation file ${file} is over ${maxInitiationBytes} bytes`);
    const buffer = Buffer.alloc(maxInitiationBytes + 1);
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxInitiationBytes)
        throw new InitiationError(`initiation file ${file} is over ${maxInitiationBytes} bytes`);
    }
    return buffer.subarray(0, length).toString("utf8");
  } catch (e) {
    if (e instanceof InitiationError) throw e;
    throw new InitiationError(`cannot read initiation file ${file}: ${(e as NodeJS.ErrnoException).code}`);
  } finally {
    fs.closeSync(fd);
  }
}

async function fetchInitiation(url: string, options: LoadInitiationOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { accept: SET_PAYMENT_INITIATION };
  if (options.runId) headers["x-setlab-run-id"] = options.runId;
  let res: HttpResponse;
  try {
    res = await httpRequest(url, { headers, timeoutMs, maxResponseBytes: maxInitiationBytes });
  } catch (e) {
    if (!(e instanceof HttpClientError)) throw e;
    if (e.kind === "timeout")
      throw new InitiationError(`no initiation object from ${url} within ${timeoutMs} ms`);
    if (e.kind === "tooLarge")
      throw new InitiationError(`${url} sent an initiation object over ${maxInitiationBytes} bytes`);
    throw new InitiationError(e.message);
  }
  // Redirects are not followed: the shop's page names the object's address itself.
  if (res.status !== 200) throw new InitiationError(`${url} answered HTTP ${res.status}`);
  if (res.contentType !== SET_PAYMENT_INITIATION)
    throw new InitiationError(
      `${url} answered with content type "${res.contentType}", not ${SET_PAYMENT_INITIATION}`,
    );
  return res.body.toString("utf8");
}
