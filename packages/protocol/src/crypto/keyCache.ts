/**
 * Public keys imported once per SubjectPublicKeyInfo, and node:crypto KeyObjects for WebCrypto
 * private keys. A handful of certificates (merchant, gateway, CAs) sign or receive nearly every
 * message, so their keys are worth keeping. Public keys are public: sharing them process-wide
 * leaks nothing. Private keys are only ever looked up by the CryptoKey object the caller holds, in
 * a WeakMap, so a KeyObject never outlives its CryptoKey.
 *
 * An RSA key is given to node:crypto as the PKCS#1 RSAPublicKey inside the SPKI: OpenSSL 3 decodes
 * that in about 7 us, the same key wrapped as SPKI in about 220 us (measured on the lab machine),
 * which is what a cardholder key seen for the first time would otherwise cost on top of its verify.
 */
import { createPublicKey, KeyObject } from "node:crypto";
import { decodeDer } from "../asn1/codec";
import { sequence } from "../asn1/constructed";
import { bitString } from "../asn1/primitives";
import { AlgorithmIdentifier } from "../schema/common";
import { Std } from "../schema/oids";
import { absentOrNull } from "./algorithms";
import type { CryptoProvider } from "./provider";

/** A map that forgets its least recently used entry beyond `capacity`. */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Forget every entry, one by one (why not `Map.clear()`: cert/certificateCache.ts, `clear`). */
  clear(): void {
    for (const key of [...this.entries.keys()]) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Enough for every certificate of a lab (roots, CAs, parties of a few brands) with room to spare. */
const CAPACITY = 512;

/** A map key for DER bytes; latin1 maps each byte to one character, so distinct bytes stay distinct. */
export const derKey = (der: Uint8Array) =>
  Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("latin1");

const nodePublicKeys = new BoundedMap<string, KeyObject>(CAPACITY);
/** RSA keys used once so far, not imported (`nodeVerifyKey`). */
const seenOnce = new BoundedMap<string, true>(CAPACITY);

const SubjectPublicKeyInfo = sequence({ algorithm: AlgorithmIdentifier, subjectPublicKey: bitString() });

/** An RSA key's PKCS#1 RSAPublicKey, as node:crypto's one-shot calls read it from DER. */
export interface RsaKeyDer {
  readonly key: Buffer;
  readonly format: "der";
  readonly type: "pkcs1";
}

/** The RSAPublicKey inside an rsaEncryption SPKI; undefined for a key of another kind. */
function rsaKeyDer(spki: Uint8Array): RsaKeyDer | undefined {
  const { algorithm, subjectPublicKey } = decodeDer(SubjectPublicKeyInfo, spki);
  if (
    algorithm.algorithm === Std.rsaEncryption &&
    absentOrNull(algorithm) &&
    subjectPublicKey.unusedBits === 0
  )
    return { key: Buffer.from(subjectPublicKey.bytes), format: "der", type: "pkcs1" };
  return undefined;
}

function importPublicKey(spki: Uint8Array): KeyObject {
  return createPublicKey(rsaKeyDer(spki) ?? { key: Buffer.from(spki), format: "der", type: "spki" });
}

/** node:crypto's public key for an SPKI; throws when the bytes are not a public key node knows. */
export function nodePublicKey(spki: Uint8Array): KeyObject {
  const key = derKey(spki);
  let found = nodePublicKeys.get(key);
  if (!found) {
    found = importPublicKey(spki);
    nodePublicKeys.set(key, found);
  }
  return found;
}

/**
 * The key for a one-shot verify: the imported KeyObject when this SPKI was used before, else the
 * RSA key's DER, which node:crypto reads for that call alone. Most keys a verifier meets are used
 * once (a cardholder's, in a lab of many cards) or over and over (the CAs', the parties'). A
 * KeyObject imported for a key used once still costs its destruction later: it is a native
 * object with a weak handle, and one that outlived two minor collections is freed in a full
 * one's pause. The benchmark's first-sight rows, which import every key afresh, paused 70-120 ms
 * in those handles' callbacks (`--trace-gc-nvp`: heap.external.weak_global_handles) once their
 * warm-up had filled the cache, and a pause inside a row made it read two to three times its
 * cost. Reading the DER costs what an import costs (about 7 us), so the second use imports.
 * A key of another kind is imported at once; its verify refuses it.
 */
export function nodeVerifyKey(spki: Uint8Array): KeyObject | RsaKeyDer {
  const id = derKey(spki);
  const found = nodePublicKeys.get(id);
  if (found) return found;
  if (!seenOnce.get(id)) {
    const der = rsaKeyDer(spki);
    if (der) {
      seenOnce.set(id, true);
      return der;
    }
  }
  seenOnce.delete(id);
  const imported = importPublicKey(spki);
  nodePublicKeys.set(id, imported);
  return imported;
}

const webCryptoKeys = new WeakMap<Crypto, BoundedMap<string, Promise<CryptoKey>>>();

/**
 * A WebCrypto public key for an SPKI, imported once per implementation, algorithm and usage.
 * A failed import is not remembered.
 */
export function webCryptoPublicKey(
  p: CryptoProvider,
  spki: Uint8Array,
  algorithm: RsaHashedImportParams,
  usage: KeyUsage,
): Promise<CryptoKey> {
  const { crypto } = p;
  let keys = webCryptoKeys.get(crypto);
  if (!keys) {
    keys = new BoundedMap(CAPACITY);
    webCryptoKeys.set(crypto, keys);
  }
  const key = `${algorithm.name}/${usage}/${derKey(spki)}`;
  let found = keys.get(key);
  if (!found) {
    const imported = crypto.subtle.importKey("spki", new Uint8Array(spki), algorithm, false, [usage]);
    const cache = keys;
    imported.catch(() => cache.delete(key));
    keys.set(key, imported);
    found = imported;
  }
  return found;
}

/**
 * Forget every public key imported, for node:crypto and for `p`'s WebCrypto: the benchmark's
 * first-sight rows start each run from a process that has imported none of its keys.
 */
export function forgetPublicKeys(p: CryptoProvider): void {
  nodePublicKeys.clear();
  seenOnce.clear();
  webCryptoKeys.get(p.crypto)?.clear();
}

const keyObjects = new WeakMap<CryptoKey, KeyObject | null>();

/** node:crypto's view of a private CryptoKey of Node's WebCrypto; undefined for another implementation's key. */
export function nodeKeyObject(key: CryptoKey): KeyObject | undefined {
  let found = keyObjects.get(key);
  if (found === undefined) {
    try {
      found = KeyObject.from(key);
    } catch {
      found = null;
    }
    keyObjects.set(key, found);
  }
  return found ?? undefined;
}
