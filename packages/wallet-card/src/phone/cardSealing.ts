/**
 * The phone's protection of card data at rest. From the passphrase and a per-card random salt,
 * scrypt derives 64 bytes: the first 32 key AES-256-GCM over the card's personalization
 * (account data, secrets, PIN reference, certificates, pins), the last 32 key HMAC-SHA-256 over
 * the card's state (PIN tries left, lock, last transaction). Node's crypto: this is the phone
 * shell, not the card.
 */
import * as nodeCrypto from "node:crypto";

/** scrypt parameters, stored with each card so they can grow without breaking old cards. */
export interface KdfParams {
  readonly name: "scrypt";
  /** Base64, 16 random bytes per card. */
  readonly salt: string;
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export interface CardKeys {
  /** AES-256-GCM key of card.json's sealed personalization. */
  readonly sealKey: Uint8Array;
  /** HMAC-SHA-256 key of state.json. */
  readonly stateKey: Uint8Array;
}

/** The sealed part of card.json. */
export interface Sealed {
  readonly cipher: "aes-256-gcm";
  /** Base64, 12 bytes, fresh for every write. */
  readonly iv: string;
  /** Base64 of ciphertext then the 16-byte tag. */
  readonly data: string;
}

/** 2^15 x 8 x 128 bytes = 32 MiB of memory per derivation. */
export const defaultKdf = (): KdfParams => ({
  name: "scrypt",
  salt: nodeCrypto.randomBytes(16).toString("base64"),
  N: 2 ** 15,
  r: 8,
  p: 1,
});

/** Parameters a stored card may name: anything else is not one of ours (or an attempt to stall the phone). */
export function validKdf(k: unknown): k is KdfParams {
  if (!k || typeof k !== "object") return false;
  const o = k as Record<string, unknown>;
  return (
    o.name === "scrypt" &&
    typeof o.salt === "string" &&
    Buffer.from(o.salt, "base64").length >= 16 &&
    typeof o.N === "number" &&
    Number.isInteger(Math.log2(o.N)) &&
    o.N >= 2 ** 14 &&
    o.N <= 2 ** 20 &&
    o.r === 8 &&
    o.p === 1
  );
}

/**
 * The phone process derives each card's keys once: a restart of the card (a new session, a
 * reload) reuses them. Keyed by a digest of passphrase and parameters, held in memory only.
 */
const derived = new Map<string, CardKeys>();

export function deriveCardKeys(passphrase: string, kdf: KdfParams): CardKeys {
  const secret = passphrase.normalize("NFC");
  const id = nodeCrypto
    .createHash("sha256")
    .update(secret)
    .update("\n")
    .update(canonicalJson(kdf))
    .digest("hex");
  const known = derived.get(id);
  if (known) return known;
  const out = nodeCrypto.scryptSync(secret, Buffer.from(kdf.salt, "base64"), 64, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    maxmem: 256 * kdf.N * kdf.r,
  });
  const keys = { sealKey: new Uint8Array(out.subarray(0, 32)), stateKey: new Uint8Array(out.subarray(32)) };
  out.fill(0);
  derived.set(id, keys);
  return keys;
}

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Sealed {
  const iv = nodeCrypto.randomBytes(12);
  const cipher = nodeCrypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { cipher: "aes-256-gcm", iv: iv.toString("base64"), data: body.toString("base64") };
}

/** The plaintext, or undefined when the key is wrong or a byte of the file (or its header) changed. */
export function unseal(key: Uint8Array, sealed: Sealed, aad: Uint8Array): Uint8Array | undefined {
  try {
    if (sealed.cipher !== "aes-256-gcm") return undefined;
    const iv = Buffer.from(sealed.iv, "base64");
    const body = Buffer.from(sealed.data, "base64");
    if (iv.length !== 12 || body.length < 16) return undefined;
    const decipher = nodeCrypto.createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(body.subarray(body.length - 16));
    return new Uint8Array(
      Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]),
    );
  } catch {
    return undefined;
  }
}

/** JSON with object keys sorted at every level: the bytes a MAC covers do not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

export function mac(key: Uint8Array, label: string, value: unknown): string {
  return macOfCanonical(key, label, canonicalJson(value));
}

/** `mac` over a value's canonical JSON already at hand (the state file is that text too). */
export function macOfCanonical(key: Uint8Array, label: string, canonical: string): string {
  return nodeCrypto.createHmac("sha256", key).update(label).update("\n").update(canonical).digest("hex");
}

export function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === 32 && y.length === 32 && nodeCrypto.timingSafeEqual(x, y);
}
