/**
 * SHA-256 of public bytes (certificate DER, TBS parts) for thumbs and cache keys. Computed with
 * node:crypto synchronously rather than through the injected WebCrypto provider: the result does
 * not depend on the implementation, and a synchronous hash costs a few microseconds where an
 * awaited `subtle.digest` costs a thread-pool round trip.
 */
import { createHash } from "node:crypto";

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
