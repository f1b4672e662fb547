/**
 * The strict DER reader: it walks bytes, in the manner of Go's cryptobyte and BoringSSL's CBS,
 * and builds no object tree. A `Node` is a window on the input (tag, header end, value end);
 * its children are read only when a codec asks for them.
 *
 * Every DER framing rule is enforced while reading, so a decoded value never needs re-encoding to
 * prove it was canonical: definite lengths in their shortest form, tag numbers in their shortest
 * form, no trailing bytes, SEQUENCE and SET constructed, and the universal primitives in their
 * one DER form (BOOLEAN 00/FF, minimal INTEGER, empty NULL, zero unused BIT STRING bits, minimal
 * OID arcs, UniversalString and BMPString of whole characters). The type-level rules (SIZE
 * bounds, DEFAULT absent, SET OF sorted, charsets) live in the codecs that know the type.
 *
 * docs/decisions.md ("A byte-walking DER reader") records why this replaced asn1js, with the
 * measurement.
 */
import { DecodeError } from "../errors";
import { TagClass, type TagKey, tagKey } from "./tlv";

/** Deeper than any SET structure by far; hostile nesting stops here, not at the stack limit. */
export const MAX_DEPTH = 64;

/** One TLV inside `buf`: identifier and length at `start`, content from `contentStart` to `end`. */
export class Node {
  private kids?: Node[];
  /** Set when `readDer` checked this node's whole tree (and so every node below it). */
  walked = false;
  /**
   * Set on a tree read from bytes its reader owns and never changes (`decodeOwnedDer`): the byte
   * values cut from it (`walkedCopy`, OCTET STRING and BIT STRING contents) are views, not copies.
   */
  owned = false;

  constructor(
    readonly buf: Uint8Array,
    readonly tag: TagKey,
    readonly constructed: boolean,
    readonly start: number,
    readonly contentStart: number,
    readonly end: number,
  ) {}

  /** The whole TLV, as a view on the input (no copy). */
  get bytes(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** The content octets, as a view on the input (no copy). */
  get content(): Uint8Array {
    return this.buf.subarray(this.contentStart, this.end);
  }

  /** The TLVs inside a constructed value, read once; a primitive value has none. */
  get children(): readonly Node[] {
    if (this.kids) return this.kids;
    const kids: Node[] = [];
    if (this.constructed)
      for (let at = this.contentStart; at < this.end; ) {
        const kid = readHeader(this.buf, at, this.end, "value");
        kid.walked = this.walked;
        kid.owned = this.owned;
        kids.push(kid);
        at = kid.end;
      }
    this.kids = kids;
    return kids;
  }
}

const malformed = (where: string, message: string): never => {
  throw new DecodeError("decodingFailure", `malformed DER: ${message}`, where);
};

const classes = [TagClass.universal, TagClass.application, TagClass.context, TagClass.private];

/**
 * What `scanHeader` read last. Module-level so that the framing walk over a whole message
 * allocates nothing per TLV; read the fields right after the call.
 */
let scannedTag = 0;
let scannedConstructed = false;
let scannedContent = 0;
let scannedEnd = 0;

/** Read one identifier and length at `at`; the value must end by `limit`. */
export function readHeader(buf: Uint8Array, at: number, limit: number, where: string): Node {
  scanHeader(buf, at, limit, where);
  return new Node(buf, scannedTag, scannedConstructed, at, scannedContent, scannedEnd);
}

function scanHeader(buf: Uint8Array, at: number, limit: number, where: string): void {
  if (at >= limit) malformed(where, "missing identifier");
  const first = buf[at++];
  const cls = classes[first >> 6];
  const constructed = (first & 0x20) !== 0;
  let num = first & 0x1f;
  if (num === 0x1f) {
    num = 0;
    for (let n = 0; ; n++) {
      if (at >= limit) malformed(where, "truncated tag");
      const b = buf[at++];
      if (n === 0 && b === 0x80) malformed(where, "tag number not minimally encoded");
      if (n === 4) malformed(where, "tag number too large");
      num = num * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    if (num < 0x1f) malformed(where, "high tag-number form for a small tag");
  }
  if (cls === TagClass.universal && num === 0) malformed(where, "end-of-contents octets are not DER");
  if (at >= limit) malformed(where, "missing length");
  let length = buf[at++];
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0) malformed(where, "indefinite length is not DER");
    if (n > 4) malformed(where, "length too large");
    if (at + n > limit) malformed(where, "truncated length");
    if (buf[at] === 0) malformed(where, "length not minimally encoded");
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + buf[at++];
    if (length < 0x80) malformed(where, "long-form length where the short form fits");
  }
  if (length > limit - at) malformed(where, "value runs past its container");
  scannedTag = tagKey(cls, num);
  scannedConstructed = constructed;
  scannedContent = at;
  scannedEnd = at + length;
}

/** Universal types DER encodes only in primitive form, and SEQUENCE/SET only constructed. */
const mustBePrimitive = new Set([
  1, 2, 3, 4, 5, 6, 9, 10, 12, 13, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 30,
]);

function checkUniversalPrimitive(num: number, c: Uint8Array, from: number, to: number, where: string): void {
  const n = to - from;
  switch (num) {
    case 1: // BOOLEAN
      if (n !== 1 || (c[from] !== 0 && c[from] !== 0xff))
        malformed(where, "BOOLEAN must be one octet 00 or FF");
      return;
    case 2: // INTEGER
    case 10: // ENUMERATED
      if (n === 0) malformed(where, "empty INTEGER");
      if (n > 1 && ((c[from] === 0 && c[from + 1] < 0x80) || (c[from] === 0xff && c[from + 1] >= 0x80)))
        malformed(where, "INTEGER not minimally encoded");
      return;
    case 3: // BIT STRING
      if (n === 0 || c[from] > 7 || (n === 1 && c[from] !== 0))
        malformed(where, "bad BIT STRING unused-bits count");
      if (c[from] && c[to - 1] & ((1 << c[from]) - 1)) malformed(where, "unused BIT STRING bits not zero");
      return;
    case 5: // NULL
      if (n !== 0) malformed(where, "NULL must be empty");
      return;
    case 6: // OBJECT IDENTIFIER
    case 13: // RELATIVE-OID
      if (n === 0 || c[to - 1] & 0x80) malformed(where, "truncated OBJECT IDENTIFIER");
      for (let i = from; i < to; i++)
        if (c[i] === 0x80 && (i === from || !(c[i - 1] & 0x80)))
          malformed(where, "OBJECT IDENTIFIER arc not minimally encoded");
      return;
    case 28: // UniversalString
      if (n % 4) malformed(where, "UniversalString is not whole characters");
      return;
    case 30: // BMPString
      if (n % 2) malformed(where, "BMPString is not whole characters");
      return;
  }
}

const UNIVERSAL_BASE = TagClass.universal * 0x1000_0000;
const APPLICATION_BASE = TagClass.application * 0x1000_0000;

/** Check the framing of everything in buf[from, to) without keeping what was read. */
function walk(buf: Uint8Array, from: number, to: number, depth: number, where: string): void {
  if (depth > MAX_DEPTH) malformed(where, `nesting deeper than ${MAX_DEPTH}`);
  for (let at = from; at < to; ) {
    scanHeader(buf, at, to, where);
    const tag = scannedTag;
    const constructed = scannedConstructed;
    const content = scannedContent;
    const end = scannedEnd;
    if (tag < APPLICATION_BASE) {
      const num = tag - UNIVERSAL_BASE;
      if (constructed) {
        if (mustBePrimitive.has(num)) malformed(where, `UNIVERSAL ${num} must be primitive in DER`);
      } else {
        if (num === 16 || num === 17) malformed(where, "SEQUENCE and SET must be constructed");
        checkUniversalPrimitive(num, buf, content, end, where);
      }
    }
    if (constructed) walk(buf, content, end, depth + 1, where);
    at = end;
  }
}

/**
 * Copies of values inside a tree `readDer` walked (`walkedCopy`): their framing was checked with
 * the tree they were cut from, and they are fresh buffers nothing else holds (or views on an owned
 * input, which its owner never changes), so reading one again
 * (a SignedData kept as its bytes by the message, then opened by the operator; a certificate the
 * message carried, then cut by `certificateRef`) need not walk it a second time.
 */
const walkedCopies = new WeakSet<Uint8Array>();

/**
 * Copies shorter than this are not remembered: adding to the set costs about 150 ns and a walk
 * about 2.4 ns a byte, and the values read again (CMS values, certificates, CRLs) are longer,
 * while most short copies (names, extensions, identifiers) are never read again.
 */
const REMEMBERED_FROM = 512;

/**
 * `bytes`, cut from `node`'s tree, as a value to keep: the view itself when the tree is `owned`,
 * else a copy the caller owns. Every byte value a codec returns goes through here.
 */
export function kept(node: Node, bytes: Uint8Array): Uint8Array {
  return node.owned ? bytes : bytes.slice();
}

/**
 * `node`'s whole TLV, `kept`; remembered as checked when `node` lies in a walked tree.
 */
export function walkedCopy(node: Node): Uint8Array {
  const copy = kept(node, node.bytes);
  if (node.walked && copy.length >= REMEMBERED_FROM) walkedCopies.add(copy);
  return copy;
}

/**
 * Read a buffer holding exactly one DER value. The whole tree's framing is checked here, once
 * (for a `walkedCopy`, it was checked with the tree it came from); codecs then read children
 * lazily from the returned node. A `walkedCopy` is also read as `owned`: it is the library's own
 * immutable buffer, so the values cut from it are views too (an operator reading the SignedData a
 * decoded message carries copies nothing out of it).
 */
export function readDer(bytes: Uint8Array, where: string): Node {
  const node = readHeader(bytes, 0, bytes.length, where);
  if (node.end !== bytes.length)
    malformed(where, `${bytes.length - node.end} trailing byte(s) after the value`);
  if (walkedCopies.has(bytes)) node.owned = true;
  else walk(bytes, 0, bytes.length, 0, where);
  node.walked = true;
  return node;
}

/**
 * Read one value's header only, for bytes the project built itself (an encoder's self-check) or
 * a shape test whose reader keeps nothing: the levels a codec then visits are still read
 * strictly, the rest is not walked, and the values cut are views (owned), as nothing is kept.
 */
export function readDerShallow(bytes: Uint8Array, where: string): Node {
  const node = readHeader(bytes, 0, bytes.length, where);
  if (node.end !== bytes.length)
    malformed(where, `${bytes.length - node.end} trailing byte(s) after the value`);
  node.walked = walkedCopies.has(bytes);
  node.owned = true;
  return node;
}
