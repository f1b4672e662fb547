/**
 * The record layer of the secure card link: after pairing, every frame is one record
 *
 *   0x17 || seq (8 bytes, big-endian) || AES-256-GCM(key, nonce, contentType || payload, AAD) || tag (16)
 *
 * with nonce = the direction's 96-bit IV XOR seq (right-aligned) and AAD = the 9 header bytes.
 * Each direction has its own key, IV and sequence number starting at 0. A reader accepts only
 * the next sequence number and a record that decrypts; anything else (a replayed, reordered,
 * truncated or modified record, garbage) is refused and the reader is dead from then on: the
 * link must be closed. Content types: 0x01 a card command or response, 0x02 the PC's session
 * context (JSON).
 */
import { KeyObject } from "node:crypto";
import { isNodeProvider } from "../../crypto/native";
import type { CryptoProvider } from "../../crypto/provider";
import { concat, owned } from "./bytes";
import type { DirectionKeys } from "./keySchedule";
import { MessageType } from "./messages";
import { keyObjectOf, nodeOpen, nodeSeal } from "./nodeLink";
import { SecureLinkError } from "./secureLinkError";

export const RECORD_HEADER = 9;
export const TAG_LENGTH = 16;
/** Header, content type and tag: the smallest record. */
export const MIN_RECORD = RECORD_HEADER + 1 + TAG_LENGTH;

export const ContentType = { CARD: 0x01, CONTEXT: 0x02 } as const;

const MAX_SEQ = (1n << 64n) - 1n;

function nonce(iv: Uint8Array, seq: bigint): Uint8Array<ArrayBuffer> {
  const n = owned(iv);
  const s = new Uint8Array(8);
  new DataView(s.buffer).setBigUint64(0, seq);
  for (let i = 0; i < 8; i++) n[4 + i] ^= s[i];
  return n;
}

function header(seq: bigint): Uint8Array<ArrayBuffer> {
  const h = new Uint8Array(RECORD_HEADER);
  h[0] = MessageType.RECORD;
  new DataView(h.buffer).setBigUint64(1, seq);
  return h;
}

/**
 * The direction's key as a node KeyObject when the link runs on Node's WebCrypto (records sealed
 * and opened synchronously, nodeLink.ts); undefined keeps the WebCrypto path. A CryptoKey another
 * provider made stays on that path, where the provider refuses it as before.
 */
function nodeKeyOf(p: CryptoProvider, keys: DirectionKeys): KeyObject | undefined {
  if (keys.key instanceof KeyObject) return keys.key;
  if (!isNodeProvider(p)) return undefined;
  try {
    const key = keyObjectOf(keys.key);
    const algorithm = keys.key.algorithm as AesKeyAlgorithm;
    return algorithm.name === "AES-GCM" && algorithm.length === 256 ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Seals one direction's records. */
export class RecordWriter {
  private seq = 0n;
  private readonly nodeKey?: KeyObject;

  constructor(
    private readonly p: CryptoProvider,
    private readonly keys: DirectionKeys,
  ) {
    this.nodeKey = nodeKeyOf(p, keys);
  }

  /** The record for `payload`; the sequence number is taken at the call, so calls may overlap. */
  async seal(contentType: number, payload: Uint8Array): Promise<Uint8Array> {
    if (this.seq > MAX_SEQ) throw new SecureLinkError("closed", "the record sequence is exhausted");
    const seq = this.seq++;
    const h = header(seq);
    const plain = concat(Uint8Array.of(contentType), payload);
    const sealed = this.nodeKey
      ? nodeSeal(this.nodeKey, nonce(this.keys.iv, seq), h, plain)
      : new Uint8Array(
          await this.p.crypto.subtle.encrypt(
            { name: "AES-GCM", iv: nonce(this.keys.iv, seq), additionalData: h, tagLength: 128 },
            this.keys.key as CryptoKey,
            plain,
          ),
        );
    plain.fill(0);
    return concat(h, sealed);
  }
}

export interface OpenedRecord {
  readonly seq: bigint;
  readonly contentType: number;
  readonly payload: Uint8Array;
}

/** Opens the other direction's records, strictly in order; dead after the first refusal. */
export class RecordReader {
  private expected = 0n;
  private deadReason?: string;
  private readonly nodeKey?: KeyObject;

  constructor(
    private readonly p: CryptoProvider,
    private readonly keys: DirectionKeys,
  ) {
    this.nodeKey = nodeKeyOf(p, keys);
  }

  get dead(): boolean {
    return this.deadReason !== undefined;
  }

  private refuse(reason: string): never {
    this.deadReason ??= reason;
    throw new SecureLinkError("record", reason);
  }

  async open(record: Uint8Array): Promise<OpenedRecord> {
    if (this.deadReason) throw new SecureLinkError("closed", `the link is dead: ${this.deadReason}`);
    if (record.length < MIN_RECORD)
      this.refuse(`record of ${record.length} bytes is shorter than ${MIN_RECORD}: truncated`);
    if (record[0] !== MessageType.RECORD)
      this.refuse(`not a record (type 0x${record[0].toString(16).padStart(2, "0")})`);
    const seq = new DataView(record.buffer, record.byteOffset, record.byteLength).getBigUint64(1);
    if (seq !== this.expected)
      this.refuse(
        seq < this.expected
          ? `record ${seq} replayed (expected ${this.expected})`
          : `record ${seq} out of order (expected ${this.expected})`,
      );
    this.expected++;
    let plain: Uint8Array | undefined;
    if (this.nodeKey) {
      plain = nodeOpen(
        this.nodeKey,
        nonce(this.keys.iv, seq),
        record.subarray(0, RECORD_HEADER),
        record.subarray(RECORD_HEADER),
      );
      if (!plain) this.refuse(`record ${seq} fails authentication: modified or truncated`);
    } else
      try {
        plain = new Uint8Array(
          await this.p.crypto.subtle.decrypt(
            {
              name: "AES-GCM",
              iv: nonce(this.keys.iv, seq),
              additionalData: owned(record.subarray(0, RECORD_HEADER)),
              tagLength: 128,
            },
            this.keys.key as CryptoKey,
            owned(record.subarray(RECORD_HEADER)),
          ),
        );
      } catch {
        this.refuse(`record ${seq} fails authentication: modified or truncated`);
      }
    if (plain.length < 1) this.refuse(`record ${seq} has no content type`);
    return { seq, contentType: plain[0], payload: plain.slice(1) };
  }
}
