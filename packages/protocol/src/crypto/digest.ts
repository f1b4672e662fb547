/**
 * SET's hash operators over DER: H (a bare SHA-256), HMAC (HMAC-SHA-256) and DD, the detached
 * digest that carries the setct OID of what it digests, so a digest of one type cannot stand in
 * for a digest of another.
 */
import { SetError } from "../errors";
import { type DetachedDigest, ub } from "../schema/common";
import { isSha256, sha256Algorithm } from "./algorithms";
import { equalConstantTime, own } from "./bytes";
import { hmacSha256Sync, isNodeProvider, sha256Sync } from "./native";
import type { CryptoProvider } from "./provider";

/** H(t): SHA-256 over DER(t). */
export async function H(p: CryptoProvider, der: Uint8Array): Promise<Uint8Array> {
  if (isNodeProvider(p)) return sha256Sync(der);
  return new Uint8Array(await p.crypto.subtle.digest("SHA-256", own(der)));
}

/** HMAC(t, k): HMAC-SHA-256 over DER(t); the key is raw bytes (e.g. CardSecret) or an HMAC CryptoKey. */
export async function HMAC(
  p: CryptoProvider,
  key: Uint8Array | CryptoKey,
  der: Uint8Array,
): Promise<Uint8Array> {
  const raw = key instanceof Uint8Array || ArrayBuffer.isView(key);
  if (raw && isNodeProvider(p)) return hmacSha256Sync(key as Uint8Array, der);
  const k = raw
    ? await p.crypto.subtle.importKey(
        "raw",
        own(key as Uint8Array),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      )
    : key;
  return new Uint8Array(await p.crypto.subtle.sign("HMAC", k, own(der)));
}

/** DD(t): the DigestedData (content absent) over DER(t), typed with t's content type. */
export async function DD(p: CryptoProvider, der: Uint8Array, contentType: string): Promise<DetachedDigest> {
  return {
    version: 2,
    digestAlgorithm: sha256Algorithm,
    encapContentInfo: { eContentType: contentType },
    digest: await H(p, der),
  };
}

/**
 * Check that `dd` is DD(t) for DER(t) = `der` and the content type the caller expects. A mismatch
 * means the data is not the data the digest (and whatever signature covers the digest) vouches
 * for, hence `signatureFailure`.
 */
export async function checkDD(
  p: CryptoProvider,
  dd: DetachedDigest,
  der: Uint8Array,
  contentType: string,
  where = "DD",
): Promise<void> {
  if (!isSha256(dd.digestAlgorithm))
    throw new SetError("signatureFailure", "detached digest does not use SHA-256", where);
  if (dd.encapContentInfo.eContentType !== contentType)
    throw new SetError(
      "signatureFailure",
      `detached digest is for content type ${dd.encapContentInfo.eContentType}, expected ${contentType}`,
      where,
    );
  if (dd.digest.length !== ub.digest || !equalConstantTime(dd.digest, await H(p, der)))
    throw new SetError("signatureFailure", "detached digest does not match the data", where);
}
