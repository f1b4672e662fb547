/**
 * A forgiving TLV reader and writer for DER-aware mutation: valid corpus messages are read into a
 * tree, one node is changed, and the enclosing lengths are written again so the damage reaches
 * the decoder layer under the outer structure instead of being refused at the first length.
 */
import { concatBytes } from "@setlab/protocol";

export interface TlvNode {
  /** Identifier octets as read (tag class, constructed bit, number). */
  tag: Uint8Array;
  constructed: boolean;
  children?: TlvNode[];
  content?: Uint8Array;
  /** Bytes written instead of this node's encoding (a hostile header, a raw splice). */
  raw?: Uint8Array;
}

/** DER definite length octets. */
export function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Uint8Array.of(0x80 | out.length, ...out);
}

interface Header {
  tag: Uint8Array;
  constructed: boolean;
  length: number;
  headerLength: number;
}

function readHeader(b: Uint8Array, at: number): Header | undefined {
  let i = at;
  if (i >= b.length) return undefined;
  const first = b[i++];
  if ((first & 0x1f) === 0x1f) {
    while (i < b.length && b[i] & 0x80) i++;
    i++;
  }
  if (i >= b.length) return undefined;
  const tag = b.subarray(at, i);
  const l0 = b[i++];
  let length: number;
  if (l0 < 0x80) length = l0;
  else {
    const n = l0 & 0x7f;
    if (n === 0 || n > 4 || i + n > b.length) return undefined;
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + b[i++];
  }
  if (i + length > b.length) return undefined;
  return { tag, constructed: (first & 0x20) !== 0, length, headerLength: i - at };
}

/** Read a sequence of TLVs; undefined when the bytes are not well-formed definite-length TLVs. */
export function parseTlvs(b: Uint8Array, depth = 0): TlvNode[] | undefined {
  if (depth > 64) return undefined;
  const nodes: TlvNode[] = [];
  let at = 0;
  while (at < b.length) {
    const h = readHeader(b, at);
    if (!h) return undefined;
    const content = b.subarray(at + h.headerLength, at + h.headerLength + h.length);
    const node: TlvNode = { tag: h.tag, constructed: h.constructed };
    if (h.constructed) {
      const children = parseTlvs(content, depth + 1);
      if (!children) return undefined;
      node.children = children;
    } else node.content = content;
    nodes.push(node);
    at += h.headerLength + h.length;
  }
  return nodes;
}

export function encodeNode(node: TlvNode): Uint8Array {
  if (node.raw) return node.raw;
  const content = node.children
    ? concatBytes(node.children.map(encodeNode))
    : (node.content ?? new Uint8Array(0));
  return concatBytes([node.tag, encodeLength(content.length), content]);
}

/** Every node of the trees, depth first (the roots included). */
export function allNodes(roots: readonly TlvNode[]): TlvNode[] {
  const out: TlvNode[] = [];
  const walk = (n: TlvNode) => {
    out.push(n);
    for (const c of n.children ?? []) walk(c);
  };
  for (const r of roots) walk(r);
  return out;
}

/** `depth` SEQUENCEs (or `tag`s) around `inner`, with correct definite lengths. */
export function nest(inner: Uint8Array, depth: number, tag = 0x30): Uint8Array {
  // Built from the inside out into one buffer, so 100 000 levels cost no quadratic copying.
  const headers: Uint8Array[] = [];
  let length = inner.length;
  for (let i = 0; i < depth; i++) {
    const h = concatBytes([Uint8Array.of(tag), encodeLength(length)]);
    headers.push(h);
    length += h.length;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (let i = headers.length - 1; i >= 0; i--) {
    out.set(headers[i], at);
    at += headers[i].length;
  }
  out.set(inner, at);
  return out;
}

/** `depth` indefinite-length SEQUENCEs (BER, refused by DER) around `inner`. */
export function nestIndefinite(inner: Uint8Array, depth: number): Uint8Array {
  const out = new Uint8Array(depth * 4 + inner.length);
  for (let i = 0; i < depth; i++) {
    out[2 * i] = 0x30;
    out[2 * i + 1] = 0x80;
  }
  out.set(inner, depth * 2);
  return out; // the trailing end-of-contents octets are zeros already
}
