/**
 * A provider with pinned randomness and time, for golden vectors and reproducible tests only.
 *
 * WebCrypto offers no seedable generator and its digest is asynchronous, while `random()` must be
 * synchronous; so the stream is a small pure-JS ChaCha20 (RFC 8439 block function) keyed from the
 * seed. Everything the operators draw from `random()` (content keys, IVs) then repeats byte for
 * byte. RSA-OAEP padding inside WebCrypto still uses the implementation's own randomness, so the
 * encrypted key block of an envelope differs between runs; signatures (RSASSA-PKCS1-v1_5) do not.
 * Never use this in production: a known seed means known content keys.
 */
import type { CryptoProvider } from "./provider";

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;

function quarterRound(s: Uint32Array, a: number, b: number, c: number, d: number): void {
  s[a] = (s[a] + s[b]) >>> 0;
  s[d] = rotl(s[d] ^ s[a], 16);
  s[c] = (s[c] + s[d]) >>> 0;
  s[b] = rotl(s[b] ^ s[c], 12);
  s[a] = (s[a] + s[b]) >>> 0;
  s[d] = rotl(s[d] ^ s[a], 8);
  s[c] = (s[c] + s[d]) >>> 0;
  s[b] = rotl(s[b] ^ s[c], 7);
}

/** One 64-byte ChaCha20 block for a 32-byte key, a 32-bit counter and a 12-byte nonce. */
export function chacha20Block(key: Uint8Array, counter: number, nonce: Uint8Array): Uint8Array {
  const kv = new DataView(key.buffer, key.byteOffset, 32);
  const nv = new DataView(nonce.buffer, nonce.byteOffset, 12);
  const init = new Uint32Array(16);
  init.set(SIGMA, 0);
  for (let i = 0; i < 8; i++) init[4 + i] = kv.getUint32(4 * i, true);
  init[12] = counter >>> 0;
  for (let i = 0; i < 3; i++) init[13 + i] = nv.getUint32(4 * i, true);
  const s = new Uint32Array(init);
  for (let round = 0; round < 10; round++) {
    quarterRound(s, 0, 4, 8, 12);
    quarterRound(s, 1, 5, 9, 13);
    quarterRound(s, 2, 6, 10, 14);
    quarterRound(s, 3, 7, 11, 15);
    quarterRound(s, 0, 5, 10, 15);
    quarterRound(s, 1, 6, 11, 12);
    quarterRound(s, 2, 7, 8, 13);
    quarterRound(s, 3, 4, 9, 14);
  }
  const out = new Uint8Array(64);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 16; i++) ov.setUint32(4 * i, (s[i] + init[i]) >>> 0, true);
  return out;
}

/** Compress a seed of any length into a ChaCha key: chain 32-byte chunks through the block function. */
function keyFromSeed(seed: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setUint32(0, seed.length, true);
  let key: Uint8Array = new Uint8Array(32);
  for (let off = 0, i = 0; off < Math.max(seed.length, 1); off += 32, i++) {
    const mixed = new Uint8Array(key);
    seed.subarray(off, off + 32).forEach((b, j) => {
      mixed[j] ^= b;
    });
    key = chacha20Block(mixed, i, nonce).slice(0, 32);
  }
  return key;
}

/** A synchronous byte stream: ChaCha20 keystream under the seed-derived key. */
export function seededStream(seed: Uint8Array): (n: number) => Uint8Array {
  const key = keyFromSeed(seed);
  const nonce = new Uint8Array(12);
  let counter = 0;
  let block: Uint8Array = new Uint8Array(0);
  let pos = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (pos === block.length) {
        block = chacha20Block(key, counter++, nonce);
        pos = 0;
      }
      out[i] = block[pos++];
    }
    return out;
  };
}

/** `provider` with `random()` replaced by a seeded stream and `now()` fixed (test-only). */
export function deterministic(
  provider: CryptoProvider,
  pin: { seed: Uint8Array; now: Date },
): CryptoProvider {
  const time = pin.now.getTime();
  return {
    ...provider,
    name: `${provider.name}+deterministic`,
    random: seededStream(new Uint8Array(pin.seed)),
    now: () => new Date(time),
  };
}
