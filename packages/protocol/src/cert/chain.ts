/**
 * Certificate path validation up to the one pinned SET root (digest 1.2, section 6): name and
 * issuer+serial chaining, signatures, validity, the SET profile, issuer roles and keyUsage,
 * pathLenConstraint, one brand, and revocation when asked. Certificates come parsed once from the
 * shared cache and signatures already verified are remembered (`issuerSignature.ts`), so a cold
 * path costs its RSA verifies and a path seen before costs hashing. pkijs's RFC 5280 engine used to
 * judge every path a second time; docs/decisions.md ("Certificates") says why it no longer does.
 */

import { bytesEqual, context, tlv } from "../asn1/tlv";
import type { CryptoProvider } from "../crypto/provider";
import { SetError } from "../errors";
import { certificateSignedBy } from "./issuerSignature";
import { isCaRole, mayIssue } from "./profile";
import { checkSetProfile } from "./profileChecks";
import { checkRevocation, type RevocationInput } from "./revocation";
import { parseSetCertificate, SetCertificate } from "./setCertificate";

export type CertificateInput = SetCertificate | Uint8Array;

export interface ValidatedChain {
  /** Leaf first, pinned root last. */
  readonly path: readonly SetCertificate[];
  readonly leaf: SetCertificate;
  readonly root: SetCertificate;
  /** The brand every certificate below the root belongs to (absent when the leaf is the root). */
  readonly brand?: string;
}

export interface ValidateChainOptions {
  /** Check every certificate below the root against the CRLs the brand's current BCI names. */
  readonly revocation?: Omit<RevocationInput, "at">;
}

/** Deeper than root, brand, geopolitical, end-entity CA and leaf means something is wrong. */
const MAX_PATH = 6;
const sha256WithRSAEncryption = "1.2.840.113549.1.1.11";

const asCertificate = (c: CertificateInput) => (c instanceof SetCertificate ? c : parseSetCertificate(c));

/**
 * Validate `leaf` at time `at` through `intermediates` to `pinnedRoot`. Throws SetError:
 * `expiredCertificate` for a certificate past its validity, `invalidCertificate` for every other
 * path or profile failure, `unrecognizedExtension` for an unknown critical extension. With
 * `options.revocation`, also `revokedCertificate` and the failures of `checkRevocation`, at `at`.
 */
export async function validateChain(
  p: CryptoProvider,
  leaf: CertificateInput,
  intermediates: readonly CertificateInput[],
  pinnedRoot: CertificateInput,
  at: Date,
  options?: ValidateChainOptions,
): Promise<ValidatedChain> {
  const root = asCertificate(pinnedRoot);
  const pool = intermediates.map(asCertificate);
  const path = buildPath(asCertificate(leaf), pool, root);

  for (const [i, cert] of path.entries()) {
    checkSetProfile(cert);
    checkValidity(cert, at);
    const issuer = path[i + 1] ?? cert;
    await checkSignature(p, cert, issuer);
    if (i + 1 < path.length) checkIssuerRole(cert, issuer);
    // pathLenConstraint counts the CA certificates below this one, the leaf excluded.
    const limit = cert.basicConstraints?.pathLength;
    if (i > 0 && limit !== undefined && i - 1 > limit)
      throw new SetError("invalidCertificate", `pathLenConstraint ${limit} exceeded`, cert.where);
  }
  if (!root.hasRole("rca"))
    throw new SetError("invalidCertificate", "the pinned root is not a SET root (rca)", root.where);
  const brands = new Set(path.slice(0, -1).map((c) => c.brand));
  if (brands.size > 1)
    throw new SetError("invalidCertificate", `path mixes brands: ${[...brands].join(", ")}`, path[0].where);

  if (options?.revocation) await checkRevocation(p, path, { ...options.revocation, at });
  return { path, leaf: path[0], root, brand: path.length > 1 ? path[path.length - 2].brand : undefined };
}

function buildPath(
  leaf: SetCertificate,
  pool: readonly SetCertificate[],
  root: SetCertificate,
): SetCertificate[] {
  const path = [leaf];
  for (let current = leaf; !bytesEqual(current.der, root.der); ) {
    if (path.length >= MAX_PATH)
      throw new SetError("invalidCertificate", "certificate path too long", leaf.where);
    const issuer = [root, ...pool].find((ca) => issues(ca, current) && !path.includes(ca));
    if (!issuer || (current.selfIssued && issuer === root && !bytesEqual(current.spki, root.spki)))
      throw new SetError(
        "invalidCertificate",
        `no certificate issued ${current.subject} on a path to the pinned root`,
        current.where,
      );
    path.push(issuer);
    current = issuer;
  }
  return path;
}

/** Name chaining, sharpened by SET's issuer+serial authorityKeyIdentifier when present. */
function issues(ca: SetCertificate, cert: SetCertificate): boolean {
  if (!bytesEqual(ca.subjectDer, cert.issuerDer)) return false;
  const aki = cert.authorityKeyIdentifier;
  if (!aki?.serialNumber || !aki.issuerGeneralName) return true;
  return (
    bytesEqual(aki.serialNumber, ca.serialBytes) &&
    bytesEqual(aki.issuerGeneralName, tlv(context(4), true, ca.issuerDer))
  );
}

function checkValidity(cert: SetCertificate, at: Date): void {
  if (at.getTime() > cert.notAfter.getTime())
    throw new SetError("expiredCertificate", `expired on ${cert.notAfter.toISOString()}`, cert.where);
  if (at.getTime() < cert.notBefore.getTime())
    throw new SetError("invalidCertificate", `not valid before ${cert.notBefore.toISOString()}`, cert.where);
}

async function checkSignature(
  p: CryptoProvider,
  cert: SetCertificate,
  issuer: SetCertificate,
): Promise<void> {
  if (cert.signatureAlgorithm !== sha256WithRSAEncryption)
    throw new SetError(
      "invalidCertificate",
      `signature algorithm ${cert.signatureAlgorithm} is not allowed`,
      cert.where,
    );
  const ok = await certificateSignedBy(p, cert, issuer);
  if (!ok)
    throw new SetError(
      "invalidCertificate",
      `signature does not verify with the key of ${issuer.subject}`,
      cert.where,
    );
}

function checkIssuerRole(cert: SetCertificate, issuer: SetCertificate): void {
  const issuerRoles = issuer.certificateType ?? [];
  if (!issuerRoles.some(isCaRole))
    throw new SetError("invalidCertificate", `issuer ${issuer.subject} is not a SET CA`, cert.where);
  if (!issuer.keyUsage?.includes("keyCertSign"))
    throw new SetError("invalidCertificate", `issuer ${issuer.subject} lacks keyCertSign`, cert.where);
  const allowed = issuerRoles.flatMap((r) => mayIssue[r]);
  const roles = cert.certificateType ?? [];
  if (!roles.every((r) => allowed.includes(r)))
    throw new SetError(
      "invalidCertificate",
      `a ${issuerRoles.join(",")} may not certify a ${roles.join(",")} certificate`,
      cert.where,
    );
}
