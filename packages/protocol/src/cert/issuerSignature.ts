/**
 * Whether a signature over a to-be-signed part (certificate, CRL, BrandCRLIdentifier) verifies
 * with an issuer certificate's RSA key (RSASSA-PKCS1-v1_5, SHA-256), and the memory of those that
 * did. The verify itself is the suite's (`crypto/suite.ts`): node:crypto on a KeyObject imported
 * once per SubjectPublicKeyInfo when the provider is Node's WebCrypto, the provider's WebCrypto
 * otherwise (the card's @peculiar/webcrypto), with its CryptoKey imported once per provider.
 */
import { createHash } from "node:crypto";
import type { CryptoProvider } from "../crypto/provider";
import { verifyRsaSha256 } from "../crypto/suite";
import type { SetCertificate } from "./setCertificate";

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
  p: CryptoProvider,
  issuer: SetCertificate,
  signature: Uint8Array,
  tbs: Uint8Array,
): Promise<boolean> {
  const { crypto } = p;
  const key = signatureKey(signature, tbs);
  let byIssuer = verifiedSignatures.get(crypto);
  if (byIssuer?.get(issuer)?.has(key)) return true;
  const ok = await verifyRsaSha256(p, issuer.spki, tbs, signature);
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
  p: CryptoProvider,
  cert: SetCertificate,
  issuer: SetCertificate,
): Promise<boolean> {
  const { crypto } = p;
  let pairs = verifiedBy.get(crypto);
  if (pairs?.get(cert)?.has(issuer)) return true;
  const ok = await issuerSignatureVerifies(p, issuer, cert.signature, cert.tbs);
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
