/** Primitive ASN.1 types with DER content rules and the module's SIZE/range bounds. */
import { SetError } from "../errors";
import {
  type Codec,
  expectTag,
  fail,
  kept,
  type Node,
  nodeContent,
  type Spec,
  type TaggedCodec,
} from "./codec";
import { type TagKey, universal } from "./tlv";
import { type DerWriter, writeDer } from "./writer";

function encodeFail(message: string): never {
  throw new SetError("unspecifiedFailure", `cannot encode: ${message}`);
}

export function tagged<T>(
  tag: TagKey,
  constructed: boolean,
  spec: Spec,
  writeContent: (w: DerWriter, value: T) => void,
  decodeContent: (node: Node, path: string) => T,
): TaggedCodec<T> {
  const write = (w: DerWriter, value: T) => {
    const end = w.length;
    writeContent(w, value);
    w.header(tag, constructed, w.length - end);
  };
  const codec: TaggedCodec<T> = {
    tag,
    tags: [tag],
    constructed,
    spec,
    writeContent,
    decodeContent,
    write,
    encode: (value) => writeDer(write, value),
    decode(node, path) {
      expectTag(node, tag, constructed, path);
      return decodeContent(node, path);
    },
    withTag: (t) => tagged(t, constructed, spec, writeContent, decodeContent),
  };
  return codec;
}

const primitive = <T>(
  universalTag: number,
  spec: Spec,
  write: (w: DerWriter, value: T) => void,
  dec: (content: Uint8Array, path: string, node: Node) => T,
) =>
  tagged<T>(universal(universalTag), false, spec, write, (node, path) => dec(nodeContent(node), path, node));

function integerContent(n: bigint): Uint8Array {
  if (n >= -0x8000_0000n && n <= 0x7fff_ffffn) return smallIntegerContent(Number(n));
  const out: number[] = [];
  let v = n;
  for (;;) {
    const byte = Number(BigInt.asUintN(8, v));
    out.unshift(byte);
    v >>= 8n;
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return Uint8Array.from(out);
}

/** Two's complement content octets of a 32-bit integer, without BigInt (the common case). */
function smallIntegerContent(n: number): Uint8Array {
  const out = new Uint8Array(smallIntegerLength(n));
  for (let i = out.length - 1, v = n; i >= 0; i--, v >>= 8) out[i] = v & 0xff;
  return out;
}

function smallIntegerLength(n: number): number {
  let len = 1;
  while (len < 4 && (n < -(2 ** (8 * len - 1)) || n >= 2 ** (8 * len - 1))) len++;
  return len;
}

/** The same octets straight into the writer, least significant first (it writes back to front). */
function writeSmallInteger(w: DerWriter, n: number): void {
  for (let i = smallIntegerLength(n), v = n; i > 0; i--, v >>= 8) w.byte(v & 0xff);
}

function readInteger(c: Uint8Array, path: string): bigint {
  if (c.length === 0) fail(path, "empty INTEGER");
  if (c.length > 1 && ((c[0] === 0 && c[1] < 0x80) || (c[0] === 0xff && c[1] >= 0x80)))
    fail(path, "INTEGER not minimally encoded");
  let v = 0n;
  for (const b of c) v = (v << 8n) | BigInt(b);
  if (c[0] & 0x80) v -= 1n << BigInt(8 * c.length);
  return v;
}

/** An INTEGER of at most 6 octets as a number (exact: below 2^48), BigInt-free. */
function readSmallInteger(c: Uint8Array, path: string): number {
  if (c.length > 6) return Number(readInteger(c, path));
  if (c.length === 0) fail(path, "empty INTEGER");
  if (c.length > 1 && ((c[0] === 0 && c[1] < 0x80) || (c[0] === 0xff && c[1] >= 0x80)))
    fail(path, "INTEGER not minimally encoded");
  let v = c[0] & 0x80 ? c[0] - 256 : c[0];
  for (let i = 1; i < c.length; i++) v = v * 256 + c[i];
  return v;
}

export interface Bounds {
  min?: number;
  max?: number;
}

/** INTEGER (min..max), as a JavaScript number; the bounds never exceed the safe-integer range. */
export function integer(bounds: Bounds = {}): TaggedCodec<number> {
  const min = bounds.min ?? Number.MIN_SAFE_INTEGER;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  const check = (v: number | bigint, path: string) => {
    if (v < min || v > max) fail(path, `INTEGER ${v} outside ${min}..${max}`);
  };
  return primitive<number>(
    2,
    { kind: "integer", min, max },
    (w, v) => {
      if (!Number.isSafeInteger(v) || v < min || v > max) encodeFail(`INTEGER ${v} outside ${min}..${max}`);
      if (v >= -0x8000_0000 && v <= 0x7fff_ffff) writeSmallInteger(w, v);
      else w.bytes(integerContent(BigInt(v)));
    },
    (c, path) => {
      if (c.length > 8) fail(path, `INTEGER outside ${min}..${max}`);
      if (c.length <= 6) {
        const small = readSmallInteger(c, path);
        check(small, path);
        return small;
      }
      const v = readInteger(c, path);
      check(v, path);
      return Number(v);
    },
  );
}

/** ENUMERATED with named values; an unknown value is a decoding failure. */
export function enumerated<const V extends Record<string, number>>(values: V): TaggedCodec<keyof V & string> {
  const byNumber = new Map<number, keyof V & string>();
  for (const [name, n] of Object.entries(values)) byNumber.set(n, name);
  return primitive<keyof V & string>(
    10,
    { kind: "enumerated", values },
    (w, name) => {
      const n = values[name];
      if (n === undefined) encodeFail(`unknown enumeration value ${String(name)}`);
      if (n >= -0x8000_0000 && n <= 0x7fff_ffff) writeSmallInteger(w, n);
      else w.bytes(integerContent(BigInt(n)));
    },
    (c, path) => {
      if (c.length > 4) fail(path, "ENUMERATED value too large");
      const name = byNumber.get(readSmallInteger(c, path));
      if (name === undefined) fail(path, "unknown ENUMERATED value");
      return name;
    },
  );
}

export function boolean(): TaggedCodec<boolean> {
  return primitive<boolean>(
    1,
    { kind: "boolean" },
    (w, v) => w.byte(v ? 0xff : 0),
    (c, path) => {
      if (c.length !== 1 || (c[0] !== 0 && c[0] !== 0xff)) fail(path, "BOOLEAN must be one octet 00 or FF");
      return c[0] === 0xff;
    },
  );
}

export function nullValue(): TaggedCodec<null> {
  return primitive<null>(
    5,
    { kind: "null" },
    () => {},
    (c, path) => {
      if (c.length !== 0) fail(path, "NULL must be empty");
      return null;
    },
  );
}

function sizeCheck(n: number, min: number, max: number, what: string, path: string) {
  if (n < min || n > max) fail(path, `${what} size ${n} outside ${min}..${max}`);
}

/** OCTET STRING (SIZE(min..max)). `{ size: n }` fixes the length. */
export function octets(bounds: Bounds & { size?: number } = {}): TaggedCodec<Uint8Array> {
  const min = bounds.size ?? bounds.min ?? 0;
  const max = bounds.size ?? bounds.max ?? Number.MAX_SAFE_INTEGER;
  return primitive<Uint8Array>(
    4,
    { kind: "octets", min, max },
    (w, v) => {
      if (v.length < min || v.length > max)
        encodeFail(`OCTET STRING length ${v.length} outside ${min}..${max}`);
      w.bytes(v);
    },
    (c, path, node) => {
      sizeCheck(c.length, min, max, "OCTET STRING", path);
      return kept(node, c);
    },
  );
}

/** BIT STRING as raw bits: `{ bytes, unusedBits }`. */
export interface BitString {
  bytes: Uint8Array;
  unusedBits: number;
}

export function bitString(bounds: Bounds = {}): TaggedCodec<BitString> {
  const min = bounds.min ?? 0;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  return primitive<BitString>(
    3,
    { kind: "bits", min, max },
    (w, v) => {
      const bits = v.bytes.length * 8 - v.unusedBits;
      if (bits < min || bits > max) encodeFail(`BIT STRING of ${bits} bits outside ${min}..${max}`);
      w.bytes(v.bytes);
      w.byte(v.unusedBits);
    },
    (c, path, node) => readBits(c, path, min, max, node),
  );
}

function readBits(c: Uint8Array, path: string, min: number, max: number, node: Node): BitString {
  if (c.length === 0) fail(path, "BIT STRING without its unused-bits octet");
  const unusedBits = c[0];
  if (unusedBits > 7 || (c.length === 1 && unusedBits !== 0)) fail(path, "bad BIT STRING unused-bits count");
  const bytes = kept(node, c.subarray(1));
  if (unusedBits && bytes[bytes.length - 1] & ((1 << unusedBits) - 1))
    fail(path, "unused BIT STRING bits not zero");
  sizeCheck(bytes.length * 8 - unusedBits, min, max, "BIT STRING", path);
  return { bytes, unusedBits };
}

/**
 * BIT STRING with named bits, as the list of names set. DER drops trailing zero bits, so the
 * encoding of a given set of names is unique; bits beyond the named ones are rejected.
 */
export function namedBits<const N extends string>(names: readonly N[]): TaggedCodec<N[]> {
  return primitive<N[]>(
    3,
    { kind: "bits", names, min: 0, max: names.length },
    (w, set) => {
      const positions = set.map((n) => {
        const i = names.indexOf(n);
        if (i < 0) encodeFail(`unknown bit name ${n}`);
        return i;
      });
      if (positions.length === 0) return w.byte(0);
      const last = Math.max(...positions);
      const bytes = new Uint8Array(Math.floor(last / 8) + 1);
      for (const p of positions) bytes[p >> 3] |= 0x80 >> (p & 7);
      w.bytes(bytes);
      w.byte(7 - (last & 7));
    },
    (c, path, node) => {
      const { bytes, unusedBits } = readBits(c, path, 0, Number.MAX_SAFE_INTEGER, node);
      const total = bytes.length * 8 - unusedBits;
      if (total > names.length) fail(path, "BIT STRING sets an unnamed bit");
      const set: N[] = [];
      for (let i = 0; i < total; i++) if (bytes[i >> 3] & (0x80 >> (i & 7))) set.push(names[i]);
      if (total > 0 && !(bytes[(total - 1) >> 3] & (0x80 >> ((total - 1) & 7))))
        fail(path, "named BIT STRING has trailing zero bits");
      return names.filter((n) => set.includes(n));
    },
  );
}

function oidContent(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map((a) => {
    if (!/^\d+$/.test(a)) encodeFail(`bad OID ${dotted}`);
    return BigInt(a);
  });
  if (arcs.length < 2 || arcs[0] > 2n || (arcs[0] < 2n && arcs[1] > 39n)) encodeFail(`bad OID ${dotted}`);
  const out: number[] = [];
  const sub = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
  for (const s of sub) {
    const group: number[] = [];
    let v = s;
    do {
      group.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    out.push(...group.map((b, i) => (i < group.length - 1 ? b | 0x80 : b)));
  }
  return Uint8Array.from(out);
}

function oidText(c: Uint8Array, path: string): string {
  if (c.length === 0 || c[c.length - 1] & 0x80) fail(path, "truncated OBJECT IDENTIFIER");
  if (c.length > 64) fail(path, "OBJECT IDENTIFIER too long");
  const subs: bigint[] = [];
  let v = 0n;
  let start = true;
  for (const b of c) {
    if (start && b === 0x80) fail(path, "OBJECT IDENTIFIER arc not minimally encoded");
    v = (v << 7n) | BigInt(b & 0x7f);
    start = !(b & 0x80);
    if (start) {
      subs.push(v);
      v = 0n;
    }
  }
  const first = subs[0] < 80n ? subs[0] / 40n : 2n;
  return [first, subs[0] - first * 40n, ...subs.slice(1)].join(".");
}

/**
 * OIDs recur in every message (content types, algorithms, extensions): both directions are
 * remembered, up to a bound so that hostile input cannot grow the tables without limit.
 */
const OID_CACHE_LIMIT = 4096;
const oidBytes = new Map<string, Uint8Array>();
const oidStrings = new Map<string, string>();

/** Bytes as char codes; only for short inputs (an argument list is bounded by the stack). */
const latin1 = (c: Uint8Array) => String.fromCharCode.apply(null, c as unknown as number[]);

/** OBJECT IDENTIFIER as a dotted string; `fixed` admits only that one value. */
export function oid(fixed?: string): TaggedCodec<string> {
  return primitive<string>(
    6,
    { kind: "oid", fixed },
    (w, dotted) => {
      let c = oidBytes.get(dotted);
      if (c === undefined) {
        c = oidContent(dotted);
        if (oidBytes.size < OID_CACHE_LIMIT) oidBytes.set(dotted, c);
      }
      w.bytes(c);
    },
    (c, path) => {
      if (c.length > 64) fail(path, "OBJECT IDENTIFIER too long");
      const key = latin1(c);
      let dotted = oidStrings.get(key);
      if (dotted === undefined) {
        dotted = oidText(c, path);
        if (oidStrings.size < OID_CACHE_LIMIT) oidStrings.set(key, dotted);
      }
      if (fixed !== undefined && dotted !== fixed)
        fail(path, `expected OBJECT IDENTIFIER ${fixed}, found ${dotted}`);
      return dotted;
    },
  );
}

const charsets = {
  numeric: { tag: 18, ok: (s: string) => /^[0-9 ]*$/.test(s) },
  printable: { tag: 19, ok: (s: string) => /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s) },
  ia5: { tag: 22, ok: (s: string) => [...s].every((ch) => ch.charCodeAt(0) < 0x80) },
  visible: { tag: 26, ok: (s: string) => /^[\x20-\x7e]*$/.test(s) },
  utf8: { tag: 12, ok: (_: string) => true },
} as const;

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Short ASCII strings are most of SET's text; they skip the UTF-8 decoder. */
function isAscii(c: Uint8Array): boolean {
  for (let i = 0; i < c.length; i++) if (c[i] & 0x80) return false;
  return true;
}

/** Characters, not UTF-16 units: SIZE counts code points. */
function characters(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Character strings; SIZE counts characters (code points for UTF8String). */
export function string(
  charset: keyof typeof charsets,
  bounds: Bounds & { size?: number } = {},
): TaggedCodec<string> {
  const min = bounds.size ?? bounds.min ?? 0;
  const max = bounds.size ?? bounds.max ?? Number.MAX_SAFE_INTEGER;
  const { tag, ok } = charsets[charset];
  const length = characters;
  return primitive<string>(
    tag,
    { kind: "string", charset, min, max },
    (w, s) => {
      const n = ok(s) ? length(s) : -1;
      if (n < min || n > max) encodeFail(`string not allowed in ${charset} ${min}..${max}`);
      w.utf8(s);
    },
    (c, path) => {
      let s: string;
      if (c.length <= 256 && isAscii(c)) s = latin1(c);
      else
        try {
          s = utf8Decoder.decode(c);
        } catch {
          return fail(path, "invalid UTF-8");
        }
      if (!ok(s)) fail(path, `character outside the ${charset} set`);
      sizeCheck(length(s), min, max, "string", path);
      return s;
    },
  );
}

/** MMDDHHMMSS of a UTC date, in front of what `w` holds (GeneralizedTime and UTCTime share it). */
export function writeClock(w: DerWriter, d: Date): void {
  w.digits(d.getUTCSeconds(), 2);
  w.digits(d.getUTCMinutes(), 2);
  w.digits(d.getUTCHours(), 2);
  w.digits(d.getUTCDate(), 2);
  w.digits(d.getUTCMonth() + 1, 2);
}

/**
 * The first `pairs` two-digit numbers of `c` (`YYMMDD...` read two ASCII digits at a time), or
 * undefined when any of those characters is not a digit or `c` ends first. The time codecs check
 * the rest (length, the final Z, the ranges).
 */
export function digitPairs(c: Uint8Array, pairs: number): number[] | undefined {
  const out = new Array<number>(pairs);
  for (let k = 0; k < pairs; k++) {
    const hi = c[2 * k] - 0x30;
    const lo = c[2 * k + 1] - 0x30;
    if (!(hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9)) return undefined;
    out[k] = hi * 10 + lo;
  }
  return out;
}

/**
 * GeneralizedTime in DER form `YYYYMMDDHHMMSSZ`. Project decision: SET's Date carries whole
 * seconds; fractional seconds are rejected.
 */
export function generalizedTime(): TaggedCodec<Date> {
  return primitive<Date>(
    24,
    { kind: "time" },
    (w, d) => {
      const t = d.getTime();
      if (!Number.isFinite(t) || t % 1000 !== 0) encodeFail("Date must be a whole second");
      const year = d.getUTCFullYear();
      if (year < 0 || year > 9999) encodeFail("year outside 0000..9999");
      w.byte(0x5a); // Z
      writeClock(w, d);
      w.digits(year, 4);
    },
    (c, path) => {
      const n = digitPairs(c, 7);
      if (c.length !== 15 || c[14] !== 0x5a || n === undefined)
        fail(path, "GeneralizedTime must be YYYYMMDDHHMMSSZ");
      const [cc, yy, mo, d, h, mi, se] = n;
      const y = cc * 100 + yy;
      const date = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
      if (
        date.getUTCFullYear() !== y ||
        date.getUTCMonth() !== mo - 1 ||
        date.getUTCDate() !== d ||
        h > 23 ||
        mi > 59 ||
        se > 59
      )
        fail(path, "GeneralizedTime is not a real date");
      date.setUTCFullYear(y);
      return date;
    },
  );
}

export type { Codec };
