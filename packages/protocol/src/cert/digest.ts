/**
 * SHA-256 of public bytes (certificate DER, TBS parts) for thumbs and cache keys. Computed with
 * node:crypto synchronously rather than through the injected WebCrypto provider: the result does
 * not depend on the implementation, and a synchronous hash costs a few microseconds where an
 * awaited `subtle.digest` costs a thread-pool round trip.
 */
export { sha256HexSync as sha256Hex, sha256Sync as sha256 } from "../crypto/native";
