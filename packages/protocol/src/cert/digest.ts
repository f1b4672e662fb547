/**
 * SHA-256 of public bytes (certificate DER, TBS parts) for thumbs and cache keys. Computed with
 * node:crypto synchronously rather than through the injected WebCrypto provider: the result does
 * not depend on the implementation, and a synchronous hash costs a few microseconds where an
 * awaited `subtle.digest` costs a thread-pool round trip.
 */
import { sha256Buffer, sha256HexSync } from "../crypto/native";

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(sha256Buffer(bytes));
}

export function sha256Hex(bytes: Uint8Array): string {
  return sha256HexSync(bytes);
}
