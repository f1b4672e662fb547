/**
 * A SET certificate parsed once by the project's strict DER codecs (`schema/x509.ts` for the X.509
 * envelope and standard extensions, `schema/certExtensions.ts` for SET's private ones). Parsing
 * already refuses what no SET receiver may accept (an unknown critical extension, a repeated or
 * malformed extension, non-DER or trailing bytes); the profile rules that depend on the
 * certificate's place in a chain live in `profileChecks.ts`. A parsed certificate is immutable, so
 * `parseSetCertificate` shares one per DER through `certificateCache.ts`.
 */
import { type Codec, decodeOwnedDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { toHex } from "../bytes";
import { DecodeError, SetError } from "../errors";
import {
  CardCertRequired,
  type CertificateRole,
  CertificateType,
  HashedRootKey,
  MerchantData,
  SETExtensions,
  Tunneling,
} from "../schema/certExtensions";
import { CertExtension } from "../schema/oids";
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CertificatePolicies,
  KeyUsage,
  type KeyUsageName,
  type NameAttribute,
} from "../schema/x509";
import { CertificateCache } from "./certificateCache";
import { sha256 } from "./digest";
import { allowedExtensions, X509Extension } from "./profile";

export { type KeyUsageName, keyUsageNames } from "../schema/x509";

export interface RawCertExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** authorityKeyIdentifier in SET's form: the issuing certificate's issuer Name and serial. */
export interface AuthorityCertId {
  /** DER of the GeneralName (a directoryName, [4] EXPLICIT Name). */
  readonly issuerGeneralName?: Uint8Array;
  readonly serialNumber?: Uint8Array;
  readonly keyIdentifier?: Uint8Array;
}

export type { NameAttribute };

const attributeNames: Record<string, string> = {
  "2.5.4.6": "C",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.3": "CN",
  "2.5.4.8": "ST",
  "2.5.4.7": "L",
};
const organizationName = "2.5.4.10";
const commonName = "2.5.4.3";

const nameText = (name: readonly NameAttribute[]) =>
  name.map((a) => `${attributeNames[a.type] ?? a.type}=${a.text}`).join(", ");

export class SetCertificate {
  /** The certificate as received. */
  readonly der: Uint8Array;
  /** DER of TBSCertificate: what the issuer signed and what the thumb hashes. */
  readonly tbs: Uint8Array;
  readonly version: number;
  /** Serial number as lower-case hex of its INTEGER content octets. */
  readonly serialNumber: string;
  readonly serialBytes: Uint8Array;
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  /** Readable forms, e.g. `C=US, O=Visa, CN=Visa Merchant CA`; for messages and logs. */
  readonly subject: string;
  readonly issuer: string;
  /** The subject's attributes in order (a cardholder's CN is its hashed account id). */
  readonly subjectAttributes: readonly NameAttribute[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The SubjectPublicKeyInfo's algorithm OID and key bits (for RSA, the DER RSAPublicKey). */
  readonly publicKeyAlgorithm: string;
  readonly subjectPublicKey: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
  readonly extensions: readonly RawCertExtension[];
  readonly keyUsage?: readonly KeyUsageName[];
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLength?: number };
  readonly authorityKeyIdentifier?: AuthorityCertId;
  readonly certificateType?: readonly CertificateRole[];
  readonly merchantData?: MerchantData;
  readonly cardCertRequired?: boolean;
  readonly hashedRootKey?: HashedRootKey;
  readonly tunneling?: Tunneling;
  readonly setExtensions?: readonly string[];
  readonly policies?: readonly string[];
  /** The brand the certificate belongs to: its subject organisation (absent on a root). */
  readonly brand?: string;
  readonly selfIssued: boolean;

  private thumbBytes?: Uint8Array;

  constructor(der: Uint8Array) {
    this.der = new Uint8Array(der);
    let cert: Certificate;
    try {
      // this.der is the certificate's own copy: its fields are views on it, not copies.
      cert = decodeOwnedDer(Certificate, this.der, "Certificate");
    } catch (e) {
      if (e instanceof DecodeError)
        throw new SetError("invalidCertificate", `not an X.509 certificate: ${e.message}`, "certificate");
      throw e;
    }
    const tbs = cert.tbsCertificate.value;
    this.tbs = cert.tbsCertificate.der;
    this.version = tbs.version + 1;
    this.serialBytes = tbs.serialNumber;
    this.serialNumber = toHex(this.serialBytes);
    this.issuerDer = tbs.issuer.der;
    this.subjectDer = tbs.subject.der;
    this.subjectAttributes = Object.freeze(tbs.subject.value);
    this.subject = nameText(tbs.subject.value);
    this.issuer = nameText(tbs.issuer.value);
    this.notBefore = tbs.validity.notBefore.value;
    this.notAfter = tbs.validity.notAfter.value;
    this.spki = tbs.subjectPublicKeyInfo.der;
    this.publicKeyAlgorithm = tbs.subjectPublicKeyInfo.value.algorithm.algorithm;
    this.subjectPublicKey = tbs.subjectPublicKeyInfo.value.subjectPublicKey.bytes;
    this.signatureAlgorithm = cert.signatureAlgorithm.algorithm;
    this.signature = cert.signatureValue.bytes;
    this.selfIssued = bytesEqual(this.issuerDer, this.subjectDer);
    this.brand = this.selfIssued ? undefined : this.subjectAttribute(organizationName);
    // RFC 5280 4.1.1.2: the algorithm inside the signed part must be the one outside it.
    const inner = tbs.signature;
    const outer = cert.signatureAlgorithm;
    if (
      inner.algorithm !== outer.algorithm ||
      !bytesEqual(inner.parameters ?? new Uint8Array(0), outer.parameters ?? new Uint8Array(0))
    )
      throw new SetError(
        "invalidCertificate",
        "the signature algorithm inside TBSCertificate differs from the outer one",
        this.where,
      );

    const seen = new Set<string>();
    const extensions: RawCertExtension[] = [];
    for (const e of tbs.extensions ?? []) {
      if (seen.has(e.extnID))
        throw new SetError("invalidCertificate", `extension ${e.extnID} appears twice`, this.where, e.extnID);
      seen.add(e.extnID);
      if (e.critical && !allowedExtensions.has(e.extnID))
        throw new SetError(
          "unrecognizedExtension",
          `critical extension ${e.extnID} is outside the SET profile`,
          this.where,
          e.extnID,
        );
      extensions.push(Object.freeze({ oid: e.extnID, critical: e.critical, value: e.extnValue }));
    }
    this.extensions = Object.freeze(extensions);
    const value = <T>(oid: string, codec: Codec<T>): T | undefined => {
      const e = extensions.find((x) => x.oid === oid);
      if (!e) return undefined;
      try {
        return decodeOwnedDer(codec, e.value, `extension ${oid}`);
      } catch (err) {
        if (err instanceof DecodeError)
          throw new SetError("invalidCertificate", `malformed extension: ${err.message}`, this.where, oid);
        throw err;
      }
    };
    this.keyUsage = value(X509Extension.keyUsage, KeyUsage);
    const bc = value(X509Extension.basicConstraints, BasicConstraints);
    if (bc) this.basicConstraints = { ca: bc.cA, pathLength: bc.pathLenConstraint };
    const aki = value(X509Extension.authorityKeyIdentifier, AuthorityKeyIdentifier);
    if (aki) {
      if (aki.authorityCertIssuer && aki.authorityCertIssuer.length !== 1)
        throw new SetError("invalidCertificate", "authorityCertIssuer must name one issuer", this.where);
      this.authorityKeyIdentifier = {
        keyIdentifier: aki.keyIdentifier,
        issuerGeneralName: aki.authorityCertIssuer?.[0],
        serialNumber: aki.authorityCertSerialNumber,
      };
    }
    this.certificateType = value(CertExtension.certificateType, CertificateType);
    this.merchantData = value(CertExtension.merchantData, MerchantData);
    this.cardCertRequired = value(CertExtension.cardCertRequired, CardCertRequired);
    this.hashedRootKey = value(CertExtension.hashedRootKey, HashedRootKey);
    this.tunneling = value(CertExtension.tunneling, Tunneling);
    this.setExtensions = value(CertExtension.setExtensions, SETExtensions);
    this.policies = value(X509Extension.certificatePolicies, CertificatePolicies)?.map(
      (p) => p.policyIdentifier,
    );
  }

  /** Names the certificate in error messages (never personal data: cardholder CNs are blinded). */
  get where(): string {
    return `certificate ${this.subject} #${this.serialNumber}`;
  }

  /** The subject's commonName, if it has one. */
  get commonName(): string | undefined {
    return this.subjectAttribute(commonName);
  }

  /** The text of the subject's first attribute of type `oid`. */
  subjectAttribute(oid: string): string | undefined {
    return this.subjectAttributes.find((a) => a.type === oid)?.text;
  }

  extension(oid: string): RawCertExtension | undefined {
    return this.extensions.find((e) => e.oid === oid);
  }

  hasRole(role: CertificateRole): boolean {
    return this.certificateType?.includes(role) ?? false;
  }

  /** SET thumbprint: SHA-256 over the TBSCertificate DER, computed once per object (see `digest.ts`). */
  thumb(): Promise<Uint8Array> {
    this.thumbBytes ??= sha256(this.tbs);
    return Promise.resolve(this.thumbBytes);
  }
}

/**
 * Parse a DER certificate; SetError `invalidCertificate` or `unrecognizedExtension` on refusal.
 * The same bytes seen again return the same parsed object (process-wide bounded cache).
 */
export function parseSetCertificate(der: Uint8Array): SetCertificate {
  return parsedCertificates.parse(der);
}

/** The process-wide cache behind `parseSetCertificate`. */
export const parsedCertificates = new CertificateCache((der) => new SetCertificate(der), 1024);
