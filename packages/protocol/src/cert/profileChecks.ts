/**
 * SET certificate profile rules for one certificate on its own (digest 1.3-1.4), and the check
 * that a certificate fits the use a receiver is about to make of it. Failures are
 * `invalidCertificate` with a message naming the rule.
 */
import { SetError } from "../errors";
import type { CertificateRole } from "../schema/certExtensions";
import { CertExtension, SetPolicyRoot } from "../schema/oids";
import { isCaRole, mustBeCritical, unevaluatedPathConstraints, X509Extension } from "./profile";
import type { SetCertificate } from "./setCertificate";

const invalid = (cert: SetCertificate, message: string, oid?: string) =>
  new SetError("invalidCertificate", message, cert.where, oid);

/** Rules every SET certificate obeys whatever its place in a chain. */
export function checkSetProfile(cert: SetCertificate): void {
  if (cert.version !== 3) throw invalid(cert, `X.509 version ${cert.version}, SET requires version 3`);
  for (const e of cert.extensions) {
    if (mustBeCritical.has(e.oid) && !e.critical)
      throw invalid(cert, `extension ${e.oid} must be critical`, e.oid);
    if (unevaluatedPathConstraints.has(e.oid))
      throw invalid(cert, `extension ${e.oid} is an RFC 5280 path constraint SET does not use`, e.oid);
  }
  const roles = cert.certificateType;
  if (!roles) throw invalid(cert, "certificateType extension missing", CertExtension.certificateType);
  if (roles.length === 0) throw invalid(cert, "certificateType names no role", CertExtension.certificateType);
  if (!cert.keyUsage) throw invalid(cert, "keyUsage extension missing", X509Extension.keyUsage);
  if (!cert.policies)
    throw invalid(cert, "certificatePolicies extension missing", X509Extension.certificatePolicies);
  else if (!cert.policies.includes(SetPolicyRoot))
    throw invalid(cert, "certificatePolicies lacks the SET root policy", X509Extension.certificatePolicies);

  const aki = cert.authorityKeyIdentifier;
  if (aki) {
    if (aki.keyIdentifier)
      throw invalid(
        cert,
        "authorityKeyIdentifier must use issuer+serial, not a key identifier",
        X509Extension.authorityKeyIdentifier,
      );
    if (!aki.issuerGeneralName || !aki.serialNumber)
      throw invalid(
        cert,
        "authorityKeyIdentifier lacks the issuer or the serial",
        X509Extension.authorityKeyIdentifier,
      );
    if (cert.extension(X509Extension.authorityKeyIdentifier)?.critical)
      throw invalid(
        cert,
        "authorityKeyIdentifier must not be critical",
        X509Extension.authorityKeyIdentifier,
      );
  }

  const caRolesHeld = roles.filter(isCaRole);
  if (caRolesHeld.length > 0) {
    if (caRolesHeld.length !== roles.length)
      throw invalid(cert, `certificateType mixes CA and end-entity roles: ${roles}`);
    if (!cert.basicConstraints?.ca) throw invalid(cert, "a CA certificate needs basicConstraints cA=TRUE");
    if (!cert.keyUsage.includes("keyCertSign"))
      throw invalid(cert, "a CA certificate needs keyUsage keyCertSign");
  } else {
    if (cert.basicConstraints?.ca) throw invalid(cert, "an end-entity certificate must not have cA=TRUE");
    if (cert.keyUsage.includes("keyCertSign") || cert.keyUsage.includes("cRLSign"))
      throw invalid(cert, "an end-entity certificate must not certify");
    const sig = cert.keyUsage.includes("digitalSignature");
    const kex = cert.keyUsage.includes("keyEncipherment");
    // SET keeps one key per purpose: a signature certificate or a key-exchange certificate.
    if (sig === kex)
      throw invalid(cert, "an end-entity certificate must be either for signature or for key encipherment");
  }
  if (cert.hashedRootKey && !cert.hasRole("rca"))
    throw invalid(cert, "hashedRootKey is only allowed in a root certificate", CertExtension.hashedRootKey);
  if (cert.merchantData && !cert.hasRole("mer"))
    throw invalid(cert, "merchantData is only allowed in a merchant certificate", CertExtension.merchantData);
  if (cert.hasRole("rca") && !cert.selfIssued) throw invalid(cert, "a root certificate must be self-issued");
  if (!cert.hasRole("rca") && !cert.brand) throw invalid(cert, "no brand (subject O=) below the root");
}

export type CertificateUse = "signature" | "keyEncipherment" | "certSign";

export interface IntendedUse {
  readonly role: CertificateRole;
  readonly use: CertificateUse;
}

const keyUsageFor = {
  signature: "digitalSignature",
  keyEncipherment: "keyEncipherment",
  certSign: "keyCertSign",
} as const;

/**
 * The certificate must belong to `role` and certify a key for `use`: e.g. the gateway key a
 * cardholder encrypts PI to must be a pgwy key-exchange certificate, not the gateway's signature one.
 */
export function checkCertificateUse(cert: SetCertificate, intended: IntendedUse): void {
  if (!cert.hasRole(intended.role))
    throw invalid(
      cert,
      `expected a ${intended.role} certificate, got certificateType ${cert.certificateType?.join(",") ?? "(none)"}`,
      CertExtension.certificateType,
    );
  const needed = keyUsageFor[intended.use];
  if (!cert.keyUsage?.includes(needed))
    throw invalid(
      cert,
      `certificate cannot be used for ${intended.use}: keyUsage ${cert.keyUsage?.join(",") ?? "(none)"} lacks ${needed}`,
      X509Extension.keyUsage,
    );
}
