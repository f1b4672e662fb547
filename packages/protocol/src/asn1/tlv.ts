/**
 * The tag numbering shared by the reader (`der.ts`) and the writer (`writer.ts`), and `tlv`, which
 * wraps content octets already in hand in their identifier and length (for the few structures
 * built by hand rather than by a codec).
 */

export const TagClass = { universal: 1, application: 2, context: 3, private: 4 } as const;

/** A tag as one number: class (1 universal .. 4 private) in the high bits, tag number in the low 28 bits. */
export type TagKey = number;
export const tagKey = (cls: number, num: number): TagKey => cls * 0x1000_0000 + num;
export const universal = (num: number): TagKey => tagKey(TagClass.universal, num);
export const context = (num: number): TagKey => tagKey(TagClass.context, num);
export const tagClassOf = (t: TagKey): number => Math.floor(t / 0x1000_0000);
export const tagNumberOf = (t: TagKey): number => t % 0x1000_0000;

export function describeTag(t: TagKey): string {
  const cls = tagClassOf(t);
  const n = tagNumberOf(t);
  return cls === TagClass.universal
    ? `UNIVERSAL ${n}`
    : cls === TagClass.context
      ? `[${n}]`
      : `[class ${cls} ${n}]`;
}

function identifier(tag: TagKey, constructed: boolean): number[] {
  const cls = tagClassOf(tag) - 1; // class numbering 1..4 -> X.690 0..3
  const num = tagNumberOf(tag);
  const first = (cls << 6) | (constructed ? 0x20 : 0);
  if (num < 31) return [first | num];
  const stack: number[] = [];
  let n = num;
  do {
    stack.unshift(n & 0x7f);
    n = Math.floor(n / 128);
  } while (n > 0);
  return [first | 0x1f, ...stack.map((b, i) => (i < stack.length - 1 ? b | 0x80 : b))];
}

/** Identifier octets per (tag, constructed), computed once: codecs reuse a handful of tags. */
const identifiers = new Map<number, number[]>();

export function identifierOf(tag: TagKey, constructed: boolean): readonly number[] {
  const key = constructed ? -tag - 1 : tag;
  let id = identifiers.get(key);
  if (id === undefined) {
    id = identifier(tag, constructed);
    identifiers.set(key, id);
  }
  return id;
}

export function tlv(tag: TagKey, constructed: boolean, content: Uint8Array): Uint8Array {
  const id = identifierOf(tag, constructed);
  const len = content.length;
  const lenOctets = len < 0x80 ? 1 : len < 0x100 ? 2 : len < 0x10000 ? 3 : len < 0x1000000 ? 4 : 5;
  const out = new Uint8Array(id.length + lenOctets + len);
  let at = 0;
  for (const b of id) out[at++] = b;
  if (lenOctets === 1) out[at++] = len;
  else {
    out[at++] = 0x80 | (lenOctets - 1);
    for (let k = lenOctets - 2; k >= 0; k--) out[at++] = Math.floor(len / 2 ** (8 * k)) & 0xff;
  }
  out.set(content, at);
  return out;
}

/** Defined with the other byte helpers; re-exported here for the codecs that import them from tlv. */
export { bytesEqual, concatBytes } from "../bytes";

/** DER SET OF order: ascending by encoding, shorter first on a common prefix. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Whether `bytes` is exactly one TLV by its header alone (identifier, definite length, and a length
 * that covers the rest). A cheap guard for values we emit; decoding still parses everything.
 */
export function isSingleTlv(bytes: Uint8Array): boolean {
  let i = 1;
  if (bytes.length < 2) return false;
  if ((bytes[0] & 0x1f) === 0x1f) {
    while (i < bytes.length && bytes[i] & 0x80) i++;
    i++;
  }
  if (i >= bytes.length) return false;
  const first = bytes[i++];
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || i + n > bytes.length) return false;
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + bytes[i++];
  }
  return i + length === bytes.length;
}
