/**
 * Root key rollover (digest 1.4, hashedRootKey): each root certificate carries the hash of the
 * NEXT root's public key, so a holder of the current root can accept the next one without any
 * other trust path. DECISION: SHA-256 over the next root's DER SubjectPublicKeyInfo.
 */
import { bytesEqual } from "../asn1/tlv";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { CertExtension, Std } from "../schema/oids";
import type { CertificateInput } from "./chain";
import { validateChain } from "./chain";
import { sha256 } from "./digest";
import { parseSetCertificate, SetCertificate } from "./setCertificate";

/**
 * Accept `newRoot` as the successor of the trusted `oldRoot` at time `at`: the new root must be a
 * valid self-signed SET root, and its key must hash to the old root's hashedRootKey.
 */
export async function verifyNextRoot(
  p: CryptoProvider,
  oldRoot: CertificateInput,
  newRoot: CertificateInput,
  at: Date,
): Promise<SetCertificate> {
  const old = oldRoot instanceof SetCertificate ? oldRoot : parseSetCertificate(oldRoot);
  const next = newRoot instanceof SetCertificate ? newRoot : parseSetCertificate(newRoot);
  const committed = old.hashedRootKey;
  if (!committed)
    throw new SetError(
      "invalidCertificate",
      "the trusted root names no successor (no hashedRootKey)",
      old.where,
      CertExtension.hashedRootKey,
    );
  if (committed.digestAlgorithm.algorithm !== Std.sha256)
    throw new SetError(
      "invalidCertificate",
      `hashedRootKey algorithm ${committed.digestAlgorithm.algorithm} is not SHA-256`,
      old.where,
    );
  // The new root is validated as its own pinned root: self-signed, SET profile, in its validity.
  await validateChain(p, next, [], next, at);
  const hash = sha256(next.spki);
  if (!bytesEqual(hash, committed.rootKeyHash))
    throw new SetError(
      "invalidCertificate",
      "the new root's key does not match the trusted root's hashedRootKey",
      next.where,
      CertExtension.hashedRootKey,
    );
  return next;
}
