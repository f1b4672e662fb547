/**
 * Byte-level tampering with DER: a TLV walk that gives each element's offsets (read only from the
 * framing, so it works on any SET message), one-byte flips, and the offsets of a message's
 * position classes (header, body, signature value, envelope key block) for sampled flips.
 */

export interface Tlv {
  /** Child indexes from the outermost element. */
  readonly path: readonly number[];
  readonly tag: number;
  readonly constructed: boolean;
  /** Offset of the first identifier byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset one past the last content byte. */
  readonly end: number;
  readonly children: readonly Tlv[];
}

class DerFramingError extends Error {}

function readTlv(der: Uint8Array, at: number, limit: number, path: number[]): Tlv {
  let i = at;
  if (i >= limit) throw new DerFramingError("truncated");
  const first = der[i++];
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    let b: number;
    do {
      if (i >= limit) throw new DerFramingError("truncated tag");
      b = der[i++];
      tag = tag * 128 + (b & 0x7f);
    } while (b & 0x80);
  }
  tag += (first & 0xc0) * 0x100_0000;
  if (i >= limit) throw new DerFramingError("truncated length");
  let length = der[i++];
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw new DerFramingError("unsupported length");
    length = 0;
    for (let k = 0; k < n; k++) {
      if (i >= limit) throw new DerFramingError("truncated length");
      length = length * 256 + der[i++];
    }
  }
  const end = i + length;
  if (end > limit) throw new DerFramingError("length beyond the enclosing element");
  const children: Tlv[] = [];
  if (constructed) {
    let j = i;
    while (j < end) {
      const child = readTlv(der, j, end, [...path, children.length]);
      children.push(child);
      j = child.end;
    }
  }
  return { path, tag, constructed, start: at, contentStart: i, end, children };
}

/** The element tree of one DER value. */
export function tlvTree(der: Uint8Array): Tlv {
  return readTlv(der, 0, der.length, []);
}

/** The element at a child-index path. */
export function tlvAt(der: Uint8Array, ...path: number[]): Tlv {
  let node = tlvTree(der);
  for (const i of path) {
    const next = node.children[i];
    if (!next) throw new Error(`no element ${i} on path ${path.join("/")}`);
    node = next;
  }
  return node;
}

/** Every element, depth first. */
export function allTlvs(root: Tlv): Tlv[] {
  return [root, ...root.children.flatMap(allTlvs)];
}

/** A copy with one byte XORed (default: its lowest bit flipped). */
export function flipByte(bytes: Uint8Array, at: number, mask = 0x01): Uint8Array {
  if (at < 0 || at >= bytes.length) throw new RangeError(`offset ${at} outside ${bytes.length} bytes`);
  const copy = new Uint8Array(bytes);
  copy[at] ^= mask;
  return copy;
}

/** A copy with `replacement` written over the same number of bytes at `at`. */
export function overwrite(bytes: Uint8Array, at: number, replacement: Uint8Array): Uint8Array {
  if (at + replacement.length > bytes.length) throw new RangeError("replacement past the end");
  const copy = new Uint8Array(bytes);
  copy.set(replacement, at);
  return copy;
}

/** Where `needle` starts in `haystack` (first match), or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(
    Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength),
    from,
  );
}

const OCTET_STRING = 0x04;
const INTEGER = 0x02;

/**
 * Position classes of a MessageWrapper: the header (MessageWrapper's first element), the
 * RSA-sized OCTET STRINGs in the body that end a SignerInfo (signature value) or a
 * KeyTransRecipientInfo (envelope key block), and the body as a whole.
 */
export interface PositionClasses {
  readonly header: readonly [number, number];
  readonly signature: readonly (readonly [number, number])[];
  readonly envelope: readonly (readonly [number, number])[];
  readonly body: readonly [number, number];
}

export function positionClasses(wrapper: Uint8Array): PositionClasses {
  const root = tlvTree(wrapper);
  const header = root.children[0];
  const message = root.children[1];
  if (!header || !message) throw new Error("not a MessageWrapper (header, message)");
  const signature: [number, number][] = [];
  const envelope: [number, number][] = [];
  const visit = (node: Tlv) => {
    const startsWithVersion = node.children[0]?.tag === INTEGER;
    for (const child of node.children) {
      const big = child.end - child.contentStart >= 128;
      const last = child === node.children[node.children.length - 1];
      if (!child.constructed && big && last && child.tag === OCTET_STRING && startsWithVersion) {
        // SignerInfo: version, sid, digestAlg, [signedAttrs], sigAlg, signature (5-6 elements);
        // KeyTransRecipientInfo: version, rid, keyEncAlg, encryptedKey (4 elements).
        if (node.children.length >= 5) signature.push([child.contentStart, child.end]);
        else if (node.children.length === 4) envelope.push([child.contentStart, child.end]);
      }
      visit(child);
    }
  };
  visit(message);
  return { header: [header.start, header.end], signature, envelope, body: [message.start, message.end] };
}

/** A small deterministic PRNG (mulberry32) so a run's sampled offsets can be reproduced. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` distinct offsets in [start, end) drawn with `rand`, skipping offsets inside `exclude`. */
export function sampleOffsets(
  range: readonly [number, number],
  n: number,
  rand: () => number,
  exclude: readonly (readonly [number, number])[] = [],
): number[] {
  const [start, end] = range;
  const inside = (o: number) => exclude.some(([s, e]) => o >= s && o < e);
  const out = new Set<number>();
  for (let tries = 0; out.size < n && tries < n * 50; tries++) {
    const o = start + Math.floor(rand() * (end - start));
    if (!inside(o)) out.add(o);
  }
  return [...out];
}

/** The innermost element holding `offset`: its child-index path and tag, e.g. `1/0/2/0/3 tag 0x04`. */
export function describeOffset(der: Uint8Array, offset: number): string {
  let node = tlvTree(der);
  for (;;) {
    const next = node.children.find((c) => offset >= c.start && offset < c.end);
    if (!next) break;
    node = next;
  }
  const part = offset < node.contentStart ? "header" : "content";
  return `${node.path.join("/") || "root"} tag 0x${node.tag.toString(16)} (${part}, ${node.end - node.contentStart} bytes)`;
}

const SET = 0x11;
const CONTEXT_0 = 0x80 * 0x100_0000;

const bytesOf = (der: Uint8Array, t: Tlv) =>
  Buffer.from(der.buffer, der.byteOffset + t.start, t.end - t.start);

/**
 * The issuer and serial number of a certificate element (TBSCertificate: [0] version, serial,
 * signature, issuer), for comparing with a SignerInfo's sid.
 */
function issuerAndSerialOf(der: Uint8Array, cert: Tlv): [Buffer, Buffer] | undefined {
  const [version, serial, , issuer] = cert.children[0]?.children ?? [];
  if (version?.tag !== CONTEXT_0 || !serial || !issuer) return undefined;
  return [bytesOf(der, issuer), bytesOf(der, serial)];
}

/**
 * The CA certificates a message carries in its SignedData certificate sets: every certificate
 * that is not a signer's (the one a SignerInfo's issuer and serial number name; the set is sorted,
 * so position says nothing). [start, end) of each, outermost SignedData first.
 */
export function carriedCaCertificates(der: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (const node of allTlvs(tlvTree(der))) {
    const [version, digestAlgorithms, , certificates] = node.children;
    const signerInfos = node.children[node.children.length - 1];
    if (
      node.children.length >= 5 &&
      version?.tag === INTEGER &&
      digestAlgorithms?.tag === SET &&
      certificates?.tag === CONTEXT_0 &&
      certificates.constructed &&
      signerInfos.tag === SET
    ) {
      const signers = signerInfos.children.map((si) => si.children[1]?.children ?? []);
      const isSigner = (cert: Tlv) => {
        const mine = issuerAndSerialOf(der, cert);
        return (
          mine !== undefined &&
          signers.some(
            ([issuer, serial]) =>
              issuer &&
              serial &&
              bytesOf(der, issuer).equals(mine[0]) &&
              bytesOf(der, serial).equals(mine[1]),
          )
        );
      };
      for (const cert of certificates.children) if (!isSigner(cert)) out.push([cert.start, cert.end]);
    }
  }
  return out;
}

/** Every certificate the message carries in its SignedData certificate sets, signers' included: [start, end) of each. */
export function carriedCertificates(der: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (const node of allTlvs(tlvTree(der))) {
    const [version, digestAlgorithms, , certificates] = node.children;
    if (
      node.children.length >= 4 &&
      version?.tag === INTEGER &&
      digestAlgorithms?.tag === SET &&
      certificates?.tag === CONTEXT_0 &&
      certificates.constructed
    )
      for (const cert of certificates.children) out.push([cert.start, cert.end]);
  }
  return out;
}

/**
 * A copy of `der` with the elements of every SignedData certificate set put back in DER order
 * (same bytes, same length, only their order changes): a forged certificate then reaches the
 * receiver's certificate checks instead of its DER reader.
 */
export function withCertificateSetsSorted(der: Uint8Array): Uint8Array {
  const out = new Uint8Array(der);
  for (const node of allTlvs(tlvTree(der))) {
    const [version, digestAlgorithms, , certificates] = node.children;
    if (
      node.children.length >= 4 &&
      version?.tag === INTEGER &&
      digestAlgorithms?.tag === SET &&
      certificates?.tag === CONTEXT_0 &&
      certificates.constructed
    ) {
      const sorted = certificates.children
        .map((c) => der.subarray(c.start, c.end))
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      let at = certificates.contentStart;
      for (const c of sorted) {
        out.set(c, at);
        at += c.length;
      }
    }
  }
  return out;
}

/** The digestAlgorithms SET of every SignedData in the message: [start, end) of each. */
export function signedDataDigestAlgorithms(der: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (const node of allTlvs(tlvTree(der))) {
    const [version, digestAlgorithms, , certificates] = node.children;
    if (
      node.children.length >= 4 &&
      version?.tag === INTEGER &&
      digestAlgorithms?.tag === SET &&
      certificates?.tag === CONTEXT_0
    )
      out.push([digestAlgorithms.start, digestAlgorithms.end]);
  }
  return out;
}
