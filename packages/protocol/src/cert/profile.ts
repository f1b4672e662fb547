/**
 * The SET certificate profile as data (digest 1.3-1.4): which extensions a SET certificate may
 * carry, which roles are CAs, and which CA role may certify which subject role.
 */
import type { CertificateRole } from "../schema/certExtensions";
import { CertExtension } from "../schema/oids";

export const X509Extension = {
  authorityKeyIdentifier: "2.5.29.35",
  keyUsage: "2.5.29.15",
  privateKeyUsagePeriod: "2.5.29.16",
  certificatePolicies: "2.5.29.32",
  subjectAltName: "2.5.29.17",
  issuerAltName: "2.5.29.18",
  basicConstraints: "2.5.29.19",
} as const;

/** Every extension a SET certificate may carry; a critical one outside this set is refused. */
export const allowedExtensions: ReadonlySet<string> = new Set([
  ...Object.values(X509Extension),
  ...Object.values(CertExtension),
]);

/** Extensions that SET requires to be marked critical wherever they appear. */
export const mustBeCritical: ReadonlySet<string> = new Set([
  X509Extension.keyUsage,
  X509Extension.basicConstraints,
  X509Extension.certificatePolicies,
  CertExtension.certificateType,
  CertExtension.hashedRootKey,
]);

/**
 * RFC 5280 path constraints SET does not use and our validation does not evaluate: a certificate
 * carrying one is refused, critical or not, rather than having its constraint silently ignored.
 */
export const unevaluatedPathConstraints: ReadonlySet<string> = new Set([
  "2.5.29.30", // nameConstraints
  "2.5.29.33", // policyMappings
  "2.5.29.36", // policyConstraints
  "2.5.29.54", // inhibitAnyPolicy
]);

export const caRoles: readonly CertificateRole[] = ["cca", "mca", "pca", "gca", "bca", "rca"];
export const isCaRole = (r: CertificateRole) => caRoles.includes(r);

/**
 * Which CA role may issue a certificate of which role (digest 1.2): the root certifies brands,
 * a brand certifies geopolitical and end-entity CAs, each end-entity CA only its own kind.
 */
export const mayIssue: Readonly<Record<CertificateRole, readonly CertificateRole[]>> = {
  rca: ["bca"],
  bca: ["gca", "cca", "mca", "pca"],
  gca: ["cca", "mca", "pca"],
  cca: ["card"],
  mca: ["mer"],
  pca: ["pgwy", "acq"],
  card: [],
  mer: [],
  pgwy: [],
  acq: [],
};
