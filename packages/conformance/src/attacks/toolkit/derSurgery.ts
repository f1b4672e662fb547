/**
 * Surgery on DER (definite lengths): parse a TLV tree, change one primitive's content, and encode
 * it again with every enclosing length fixed up. Used to break one layer of a CMS envelope (the
 * RSA-OAEP block, the AES-CBC padding, the ciphertext length) while the rest still parses.
 */

export interface DerNode {
  readonly tag: Uint8Array;
  readonly constructed: boolean;
  content: Uint8Array;
  children?: DerNode[];
}

function readNode(bytes: Uint8Array, at: number): { node: DerNode; end: number } {
  let i = at;
  const first = bytes[i++]!;
  if ((first & 0x1f) === 0x1f) while (bytes[i++]! & 0x80);
  const tag = bytes.slice(at, i);
  let len = bytes[i++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error("DER surgery: indefinite or oversized length");
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + bytes[i++]!;
  }
  const end = i + len;
  if (end > bytes.length) throw new Error("DER surgery: length past the end");
  const constructed = (first & 0x20) !== 0;
  const node: DerNode = { tag, constructed, content: bytes.slice(i, end) };
  if (constructed) {
    node.children = [];
    let j = i;
    while (j < end) {
      const child = readNode(bytes, j);
      node.children.push(child.node);
      j = child.end;
    }
  }
  return { node, end };
}

export function parseDer(bytes: Uint8Array): DerNode {
  const { node, end } = readNode(bytes, 0);
  if (end !== bytes.length) throw new Error("DER surgery: trailing bytes");
  return node;
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

export function encodeNode(node: DerNode): Uint8Array {
  const content = node.children ? Buffer.concat(node.children.map(encodeNode)) : node.content;
  return new Uint8Array(Buffer.concat([node.tag, Uint8Array.from(lengthBytes(content.length)), content]));
}

/** Child `path[0]` of `node`, then its child `path[1]`, ... */
export function at(node: DerNode, ...path: number[]): DerNode {
  let n = node;
  for (const i of path) {
    const c = n.children?.[i];
    if (!c) throw new Error(`DER surgery: no child ${i}`);
    n = c;
  }
  return n;
}

/** The EnvelopedData inside a ContentInfo: SEQ { OID, [0] { SEQ EnvelopedData } }. */
function envelopedData(contentInfo: DerNode): DerNode {
  return at(contentInfo, 1, 0);
}

/** RecipientInfos' first KeyTransRecipientInfo's encryptedKey (the RSA-OAEP block). */
export function encryptedKeyOf(contentInfo: DerNode): DerNode {
  const env = envelopedData(contentInfo);
  const recipients = env.children!.find((c) => c.tag[0] === 0x31);
  if (!recipients) throw new Error("DER surgery: no RecipientInfos");
  const ktri = at(recipients, 0);
  return ktri.children![ktri.children!.length - 1]!;
}

/** EncryptedContentInfo's encryptedContent ([0] IMPLICIT OCTET STRING, primitive). */
export function encryptedContentOf(contentInfo: DerNode): DerNode {
  const env = envelopedData(contentInfo);
  const eci = env.children![env.children!.length - 1]!;
  const content = eci.children?.find((c) => c.tag[0] === 0x80);
  if (!content) throw new Error("DER surgery: no primitive encryptedContent");
  return content;
}

/** EncryptedContentInfo's content-encryption IV (AES-CBC parameters, an OCTET STRING). */
export function ivOf(contentInfo: DerNode): DerNode {
  const env = envelopedData(contentInfo);
  const eci = env.children![env.children!.length - 1]!;
  const alg = at(eci, 1);
  const iv = alg.children?.[1];
  if (iv?.tag[0] !== 0x04) throw new Error("DER surgery: no IV");
  return iv;
}

/** A copy of `bytes` with one byte XORed at `offset`. */
export function flipByte(bytes: Uint8Array, offset: number, mask = 0x01): Uint8Array {
  const out = new Uint8Array(bytes);
  out[offset] = out[offset]! ^ mask;
  return out;
}

/** Apply `change` to the envelope's tree and encode the envelope again. */
export function operate(envelope: Uint8Array, change: (contentInfo: DerNode) => void): Uint8Array {
  const tree = parseDer(envelope);
  change(tree);
  return encodeNode(tree);
}

/** Envelope operations that each break one layer. */
export const envelopeCuts = {
  /** A byte in the middle of the RSA-OAEP block. */
  oaepBlock: (env: Uint8Array) =>
    operate(env, (t) => {
      const k = encryptedKeyOf(t);
      k.content = flipByte(k.content, k.content.length >> 1, 0x40);
    }),
  /** The last byte of the second-to-last AES-CBC block: the last block's padding byte changes. */
  cbcPadding: (env: Uint8Array) =>
    operate(env, (t) => {
      const c = encryptedContentOf(t);
      c.content = flipByte(c.content, c.content.length - 17, 0x5a);
    }),
  /** A byte in the first ciphertext block: the padding stays valid, the signed content breaks. */
  innerContent: (env: Uint8Array) =>
    operate(env, (t) => {
      const c = encryptedContentOf(t);
      c.content = flipByte(c.content, 40, 0x01);
    }),
  /**
   * One bit of the IV: with CBC this flips exactly the same bit of the first plaintext block and
   * nothing else (padding intact). `offset` picks the plaintext byte.
   */
  ivBit: (offset: number) => (env: Uint8Array) =>
    operate(env, (t) => {
      const iv = ivOf(t);
      iv.content = flipByte(iv.content, offset, 0x01);
    }),
  /** The ciphertext without its last block. */
  truncated: (env: Uint8Array) =>
    operate(env, (t) => {
      const c = encryptedContentOf(t);
      c.content = c.content.slice(0, c.content.length - 16);
    }),
} as const;
