/**
 * The card link's primitives on `node:crypto`, called synchronously. Node's WebCrypto runs each
 * AES-GCM record, HMAC, HKDF and ECDH as a job on the thread pool: 30-50 us per call even for a
 * few bytes, against 1-2 us for the same OpenSSL call made directly (docs/card-link.md has the
 * figures). When the link's provider carries Node's own WebCrypto (`isNodeProvider`), the key
 * schedule, the commitments and the record layer use these instead; any other provider (the card's
 * @peculiar/webcrypto, a test provider) keeps the WebCrypto path. Both compute the same bytes on
 * the wire. Keys stay in memory as KeyObjects or ECDH objects, never exported anywhere.
 */
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHmac,
  createSecretKey,
  ECDH,
  type ECDH as EcdhKey,
  hkdfSync,
  KeyObject,
  timingSafeEqual,
} from "node:crypto";

const CURVE = "prime256v1";
const TAG = 16;

/** A fresh P-256 key pair: the private half stays inside the ECDH object. */
export function nodeEphemeral(): { privateKey: EcdhKey; publicKey: Uint8Array } {
  const ecdh = createECDH(CURVE);
  return { privateKey: ecdh, publicKey: new Uint8Array(ecdh.generateKeys()) };
}

/** Whether `raw` (uncompressed) is a point on P-256: OpenSSL refuses anything off the curve. */
export function isP256Point(raw: Uint8Array): boolean {
  try {
    ECDH.convertKey(raw, CURVE);
    return true;
  } catch {
    return false;
  }
}

/** The ECDH shared secret (the x coordinate, 32 bytes), as WebCrypto's deriveBits(256) gives it. */
export function nodeAgree(own: EcdhKey, peer: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(own.computeSecret(peer));
}

export function nodeHkdf(
  ikm: Uint8Array | KeyObject,
  salt: Uint8Array,
  info: Uint8Array,
  bytes: number,
): Uint8Array<ArrayBuffer> {
  return new Uint8Array(hkdfSync("sha256", ikm, salt, info, bytes));
}

/** The node key behind a CryptoKey of Node's WebCrypto; another provider's key is refused (TypeError). */
export const keyObjectOf = (key: CryptoKey): KeyObject => KeyObject.from(key);

export const secretKey = (raw: Uint8Array): KeyObject => createSecretKey(raw);

export function nodeHmac(key: KeyObject | Uint8Array, data: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHmac("sha256", key).update(data).digest());
}

/** Constant-time comparison of an HMAC with the one expected. */
export function nodeHmacVerify(key: KeyObject | Uint8Array, mac: Uint8Array, data: Uint8Array): boolean {
  const expected = nodeHmac(key, data);
  return mac.length === expected.length && timingSafeEqual(mac, expected);
}

/** AES-256-GCM with a 16-byte tag appended: WebCrypto's encrypt output, byte for byte. */
export function nodeSeal(key: KeyObject, nonce: Uint8Array, aad: Uint8Array, plain: Uint8Array): Uint8Array {
  const c = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG });
  c.setAAD(aad);
  const body = c.update(plain);
  const last = c.final();
  const out = new Uint8Array(body.length + last.length + TAG);
  out.set(body, 0);
  out.set(last, body.length);
  out.set(c.getAuthTag(), body.length + last.length);
  return out;
}

/** The plaintext of ciphertext || tag, or undefined when it does not authenticate. */
export function nodeOpen(
  key: KeyObject,
  nonce: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
): Uint8Array | undefined {
  if (sealed.length < TAG) return undefined;
  try {
    const d = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG });
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    const body = d.update(sealed.subarray(0, sealed.length - TAG));
    const last = d.final();
    if (last.length === 0) return new Uint8Array(body.buffer, body.byteOffset, body.length);
    const out = new Uint8Array(body.length + last.length);
    out.set(body, 0);
    out.set(last, body.length);
    return out;
  } catch {
    return undefined;
  }
}
