/**
 * The SET certificate profiles as data (digest 1.3-1.4): one row per certificate kind. The
 * certificate builder and the CA read only this table; a new kind of certificate is a new row,
 * never a new code path.
 */
import { type KeyUsageName, schema } from "@setlab/protocol";

/** How the subject Name is formed. */
export type SubjectForm =
  /** C, O=SET Lab, CN: the root belongs to no brand. */
  | "root"
  /** C, O=<brand>, OU=<role>, CN: every certificate below the root carries its brand in O=. */
  | "branded"
  /** As branded, but CN is the hashed account identity: never the PAN. */
  | "cardholder";

/** Which WebCrypto algorithm the certified key is for; both are rsaEncryption keys in the SPKI. */
export type KeyPurpose = "signature" | "keyEncipherment" | "certSign";

export interface CertificateProfile {
  readonly name: ProfileName;
  readonly role: schema.CertificateRole;
  readonly purpose: KeyPurpose;
  readonly subject: SubjectForm;
  /** Default validity; the issuer's own notAfter and a card's expiry cap it further. */
  readonly validityDays: number;
  /** Critical. */
  readonly keyUsage: readonly KeyUsageName[];
  /** Critical; present only on CA profiles. pathLength counts the CAs that may follow below. */
  readonly basicConstraints?: { readonly pathLength: number };
  /** Critical; always the SET root policy. */
  readonly policies: readonly string[];
  /** Critical SHA-256 of the successor root's SPKI (roots only). */
  readonly hashedRootKey: boolean;
  /** Non-critical merchantData, required on merchant certificates and refused elsewhere. */
  readonly merchantData: boolean;
  /**
   * Non-critical cardCertRequired (gateway certificates), its value the brand's policy
   * (brandPolicy.ts), so the certificate says what the brand requires.
   */
  readonly cardCertRequired: boolean;
  /** Non-critical tunneling: the holder accepts extra encryption with these algorithms. */
  readonly tunneling?: schema.Tunneling;
  /** Validity capped at the card's expiry; the request must carry the cardholder's account data. */
  readonly cardholder: boolean;
}

export const profileNames = [
  "rca",
  "bca",
  "gca",
  "cca",
  "mca",
  "pca",
  "cardholderSignature",
  "merchantSignature",
  "merchantKeyExchange",
  "gatewaySignature",
  "gatewayKeyExchange",
] as const;
export type ProfileName = (typeof profileNames)[number];

const setPolicy = [schema.SetPolicyRoot] as const;
const year = 365;

// Digest 1.3: RCA and BCA only certify and sign CRLs; the end-entity CAs also sign registration
// responses, so they carry digitalSignature too.
const certifyOnly: readonly KeyUsageName[] = ["keyCertSign", "cRLSign"];
const certifyAndSign: readonly KeyUsageName[] = ["digitalSignature", "keyCertSign", "cRLSign"];

type Defaulted = "hashedRootKey" | "merchantData" | "cardholder" | "cardCertRequired";
type Row = Omit<CertificateProfile, "name" | "policies" | Defaulted> &
  Partial<Pick<CertificateProfile, Defaulted>>;

/** A branded CA below the root: the brand CA, the optional geopolitical CA, an end-entity CA. */
const caBelowRoot = (
  role: Row["role"],
  validityYears: number,
  keyUsage: readonly KeyUsageName[],
  pathLength: number,
): Row => ({
  role,
  purpose: "certSign",
  subject: "branded",
  validityDays: validityYears * year,
  keyUsage,
  basicConstraints: { pathLength },
});

const rows: Record<ProfileName, Row> = {
  rca: {
    role: "rca",
    purpose: "certSign",
    subject: "root",
    validityDays: 10 * year,
    keyUsage: certifyOnly,
    // Below the root: BCA, optional GCA, end-entity CA.
    basicConstraints: { pathLength: 3 },
    hashedRootKey: true,
  },
  bca: caBelowRoot("bca", 8, certifyOnly, 2),
  gca: caBelowRoot("gca", 6, certifyAndSign, 1),
  cca: caBelowRoot("cca", 4, certifyAndSign, 0),
  mca: caBelowRoot("mca", 4, certifyAndSign, 0),
  pca: caBelowRoot("pca", 4, certifyAndSign, 0),
  cardholderSignature: {
    role: "card",
    purpose: "signature",
    subject: "cardholder",
    validityDays: 3 * year,
    keyUsage: ["digitalSignature"],
    cardholder: true,
  },
  merchantSignature: {
    role: "mer",
    purpose: "signature",
    subject: "branded",
    validityDays: 2 * year,
    keyUsage: ["digitalSignature"],
    merchantData: true,
  },
  merchantKeyExchange: {
    role: "mer",
    purpose: "keyEncipherment",
    subject: "branded",
    validityDays: 2 * year,
    keyUsage: ["keyEncipherment"],
    merchantData: true,
  },
  gatewaySignature: {
    role: "pgwy",
    purpose: "signature",
    subject: "branded",
    validityDays: 2 * year,
    keyUsage: ["digitalSignature"],
    cardCertRequired: true,
  },
  gatewayKeyExchange: {
    role: "pgwy",
    purpose: "keyEncipherment",
    subject: "branded",
    validityDays: 2 * year,
    keyUsage: ["keyEncipherment"],
    cardCertRequired: true,
    // The cardholder encrypts PI to this key; tunneling says which extra encryption it opens.
    tunneling: { tunneling: true, tunnelAlgIDs: [schema.Std.aes256cbc] },
  },
};

const built = {} as Record<ProfileName, CertificateProfile>;
for (const name of profileNames)
  built[name] = {
    hashedRootKey: false,
    merchantData: false,
    cardholder: false,
    cardCertRequired: false,
    ...rows[name],
    name,
    policies: setPolicy,
  };
export const profiles: Readonly<Record<ProfileName, CertificateProfile>> = built;

export const isProfileName = (s: string): s is ProfileName => (profileNames as readonly string[]).includes(s);
