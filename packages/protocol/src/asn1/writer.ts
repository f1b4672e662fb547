/**
 * The DER writer: one buffer, filled from the back. A value is written after the values that
 * follow it, so when its content is complete its length is known and its header goes straight in
 * front of it; nothing is encoded apart and copied into its parent (the way mbedTLS's
 * `asn1write` works; BoringSSL's CBB writes forwards and moves the content when a length outgrows
 * the octet it reserved). Each value is sized once, by writing it.
 *
 * docs/decisions.md ("A back-to-front DER writer") records why, with the measurement.
 */
import { identifierOf, type TagKey } from "./tlv";

/** Room for most SET messages at once; a larger value doubles it as often as it needs. */
const INITIAL_CAPACITY = 4096;
/** A spare writer keeps its buffer between values, unless a value grew it past this. */
const SPARE_CAPACITY_LIMIT = 1 << 20;

export class DerWriter {
  private buf: Uint8Array;
  /** The written bytes are buf[pos, buf.length): the front of the output so far. */
  private pos: number;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buf = new Uint8Array(capacity);
    this.pos = capacity;
  }

  /**
   * Bytes written so far. Being counted from the end, it does not move when the buffer grows:
   * a codec takes it before writing a value and subtracts it after, to learn the value's length.
   */
  get length(): number {
    return this.buf.length - this.pos;
  }

  /** Make room for `n` more bytes in front of the output. */
  private room(n: number): void {
    if (n <= this.pos) return;
    const used = this.buf.length - this.pos;
    let capacity = Math.max(this.buf.length * 2, 64);
    while (capacity - used < n) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buf.subarray(this.pos), capacity - used);
    this.buf.fill(0); // what was written may be secret (a content key, PANData)
    this.buf = grown;
    this.pos = capacity - used;
  }

  byte(b: number): void {
    if (this.pos === 0) this.room(1);
    this.buf[--this.pos] = b;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.pos -= b.length;
    this.buf.set(b, this.pos);
  }

  /** A string of char codes below 0x80 (the caller has checked), one octet each. */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const at = this.pos - n;
    for (let i = 0; i < n; i++) this.buf[at + i] = s.charCodeAt(i);
    this.pos = at;
  }

  /** The UTF-8 of `s` (a lone surrogate as U+FFFD, as TextEncoder writes it). */
  utf8(s: string): void {
    const n = utf8Length(s);
    if (n === s.length) {
      this.ascii(s);
      return;
    }
    this.room(n);
    this.pos -= n;
    utf8Encoder.encodeInto(s, this.buf.subarray(this.pos, this.pos + n));
  }

  /** `value` as `width` decimal digits, zero-padded (the caller has bounded it). */
  digits(value: number, width: number): void {
    this.room(width);
    let v = value;
    for (let i = 0; i < width; i++) {
      this.buf[--this.pos] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
  }

  /** Identifier and length octets in front of a content of `length` octets already written. */
  header(tag: TagKey, constructed: boolean, length: number): void {
    const id = identifierOf(tag, constructed);
    this.room(id.length + 5);
    const buf = this.buf;
    let at = this.pos;
    if (length < 0x80) buf[--at] = length;
    else {
      let n = 0;
      for (let v = length; v > 0; v = Math.floor(v / 256)) {
        buf[--at] = v & 0xff;
        n++;
      }
      buf[--at] = 0x80 | n;
    }
    for (let i = id.length - 1; i >= 0; i--) buf[--at] = id[i];
    this.pos = at;
  }

  /** The first `n` bytes of the output so far, as a view valid until the next write. */
  front(n: number): Uint8Array {
    return this.buf.subarray(this.pos, this.pos + n);
  }

  /** Drop the bytes written since the output was `length` long (a DEFAULT value found equal). */
  truncate(length: number): void {
    const to = this.buf.length - length;
    this.buf.fill(0, this.pos, to);
    this.pos = to;
  }

  /** A copy of the output, and the writer emptied (its buffer wiped) for the next value. */
  finish(): Uint8Array {
    const out = this.buf.slice(this.pos);
    this.buf.fill(0, this.pos);
    this.pos = this.buf.length;
    return out;
  }

  get capacity(): number {
    return this.buf.length;
  }
}

const utf8Encoder = new TextEncoder();

/** Octets of the UTF-8 of `s`, counted without encoding it. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0x80) continue;
    if (u < 0x800) n += 1;
    else if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 2; // a pair: two units, four octets
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/**
 * One writer kept between values, so that a value costs one allocation: its output. A write that
 * encodes another value on the way (a self-check, a DEFAULT's encoding) takes a writer of its own.
 */
let spare: DerWriter | undefined;

/** The DER of `value` written by `write`, in a buffer of its own. */
export function writeDer<T>(write: (w: DerWriter, value: T) => void, value: T): Uint8Array {
  const w = spare ?? new DerWriter();
  spare = undefined;
  try {
    write(w, value);
    return w.finish();
  } finally {
    w.truncate(0);
    if (w.capacity <= SPARE_CAPACITY_LIMIT) spare = w;
  }
}
