/**
 * PKCS#7 padding of a decrypted CBC plaintext, read without branching on its bytes: whether the
 * padding holds must not show in the time the check takes, or the check is a padding oracle.
 */
import { AES_BLOCK } from "./algorithms";

export interface Unpadded {
  /** The plaintext without its padding; the whole input when the padding is bad. */
  readonly plaintext: Uint8Array;
  readonly ok: boolean;
}

/** 1 when `x` (a small non-negative integer) is 0, else 0. */
const isZero = (x: number): number => ((x | -x) >>> 31) ^ 1;
/** 1 when a <= b (both small non-negative integers), else 0. */
const atMost = (a: number, b: number): number => ((b - a) >>> 31) ^ 1;

export function removePkcs7Padding(decrypted: Uint8Array): Unpadded {
  const length = decrypted.length;
  if (length === 0 || length % AES_BLOCK !== 0) return { plaintext: decrypted, ok: false };
  const n = decrypted[length - 1];
  let good = (1 - isZero(n)) & atMost(n, AES_BLOCK);
  // Always the last whole block, whatever n says.
  for (let i = 1; i <= AES_BLOCK; i++) good &= 1 - (atMost(i, n) & (1 - isZero(decrypted[length - i] ^ n)));
  const cut = n * good;
  return { plaintext: decrypted.subarray(0, length - cut), ok: good === 1 };
}
