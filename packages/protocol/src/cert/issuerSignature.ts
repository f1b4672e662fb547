/**
 * Whether a signature over a to-be-signed part (certificate, CRL, BrandCRLIdentifier) verifies
 * with an issuer certificate's RSA key (RSASSA-PKCS1-v1_5, SHA-256).
 *
 * With Node's own WebCrypto as the provider, the check runs through node:crypto synchronously on a
 * KeyObject imported once per issuer: the same OpenSSL, without WebCrypto's per-call thread-pool
 * job. The key is imported from the PKCS#1 RSAPublicKey inside the SubjectPublicKeyInfo, because
 * OpenSSL 3 decodes a PKCS#1 key about ten times faster than the same key wrapped as SPKI
 * (docs/decisions.md, "Certificates"). Any other provider (the card's @peculiar/webcrypto) keeps
 * the WebCrypto path, with its CryptoKey imported once per provider and issuer.
 */
import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import { isNodeWebCrypto } from "../crypto/native";
import { Std } from "../schema/oids";
import type { SetCertificate } from "./setCertificate";

const nodeKeys = new WeakMap<SetCertificate, KeyObject | null>();

function nodeKeyOf(issuer: SetCertificate): KeyObject | null {
  let key = nodeKeys.get(issuer);
  if (key === undefined) {
    key = null;
    if (issuer.publicKeyAlgorithm === Std.rsaEncryption)
      try {
        key = createPublicKey({ key: Buffer.from(issuer.subjectPublicKey), format: "der", type: "pkcs1" });
      } catch {
        // Not an RSA key after all: nothing verifies with it.
      }
    nodeKeys.set(issuer, key);
  }
  return key;
}

const webKeys = new WeakMap<Crypto, WeakMap<SetCertificate, Promise<CryptoKey | null>>>();

function webKeyOf(crypto: Crypto, issuer: SetCertificate): Promise<CryptoKey | null> {
  let keys = webKeys.get(crypto);
  if (!keys) {
    keys = new WeakMap();
    webKeys.set(crypto, keys);
  }
  let key = keys.get(issuer);
  if (!key) {
    key = crypto.subtle
      .importKey("spki", new Uint8Array(issuer.spki), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, [
        "verify",
      ])
      .catch(() => null);
    keys.set(issuer, key);
  }
  return key;
}

/**
 * Signatures that verified, per provider and issuer, by SHA-256 of (signature, signed bytes): a CRL
 * or BrandCRLIdentifier that arrives again in the next PInitRes costs a hash, not an RSA
 * operation. Only successes are remembered; bounded per issuer.
 */
const verifiedSignatures = new WeakMap<Crypto, WeakMap<SetCertificate, Set<string>>>();
const MAX_REMEMBERED_PER_ISSUER = 256;

function signatureKey(signature: Uint8Array, tbs: Uint8Array): string {
  return createHash("sha256").update(signature).update(tbs).digest("base64");
}

export async function issuerSignatureVerifies(
  crypto: Crypto,
  issuer: SetCertificate,
  signature: Uint8Array,
  tbs: Uint8Array,
): Promise<boolean> {
  const key = signatureKey(signature, tbs);
  let byIssuer = verifiedSignatures.get(crypto);
  if (byIssuer?.get(issuer)?.has(key)) return true;
  const ok = await rsaSignatureVerifies(crypto, issuer, signature, tbs);
  if (ok) {
    if (!byIssuer) {
      byIssuer = new WeakMap();
      verifiedSignatures.set(crypto, byIssuer);
    }
    let seen = byIssuer.get(issuer);
    if (!seen) {
      seen = new Set();
      byIssuer.set(issuer, seen);
    }
    if (seen.size >= MAX_REMEMBERED_PER_ISSUER) seen.clear();
    seen.add(key);
  }
  return ok;
}

async function rsaSignatureVerifies(
  crypto: Crypto,
  issuer: SetCertificate,
  signature: Uint8Array,
  tbs: Uint8Array,
): Promise<boolean> {
  try {
    if (isNodeWebCrypto(crypto)) {
      const key = nodeKeyOf(issuer);
      return key !== null && verify("sha256", tbs, key, signature);
    }
    const key = await webKeyOf(crypto, issuer);
    return (
      key !== null &&
      (await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, new Uint8Array(signature), new Uint8Array(tbs)))
    );
  } catch {
    return false;
  }
}

/**
 * (certificate, issuer) pairs whose signature verified, per provider. Both are immutable parses,
 * and with the shared parse cache the same bytes come back as the same objects, so a certificate
 * seen again costs no RSA operation. Only successes are remembered. Per provider, so that a card
 * running @peculiar/webcrypto in the same process as a Node-crypto verifier still checks every
 * certificate with its own implementation.
 */
const verifiedBy = new WeakMap<Crypto, WeakMap<SetCertificate, WeakSet<SetCertificate>>>();

/** Whether `issuer`'s key verifies `cert`'s signature over its TBSCertificate; remembered once true. */
export async function certificateSignedBy(
  crypto: Crypto,
  cert: SetCertificate,
  issuer: SetCertificate,
): Promise<boolean> {
  let pairs = verifiedBy.get(crypto);
  if (pairs?.get(cert)?.has(issuer)) return true;
  const ok = await issuerSignatureVerifies(crypto, issuer, cert.signature, cert.tbs);
  if (ok) {
    if (!pairs) {
      pairs = new WeakMap();
      verifiedBy.set(crypto, pairs);
    }
    let issuers = pairs.get(cert);
    if (!issuers) {
      issuers = new WeakSet();
      pairs.set(cert, issuers);
    }
    issuers.add(issuer);
  }
  return ok;
}
