/**
 * A SET certificate parsed once: the X.509 envelope by pkijs, the SET private extensions by our
 * strict codecs. Parsing already refuses what no SET receiver may accept (an unknown critical
 * extension, a malformed extension value, trailing bytes); the profile rules that depend on the
 * certificate's place in a chain live in `profileChecks.ts`.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { type Codec, decodeDer } from "../asn1/codec";
import { anyDer, implicit, optional, sequence, sequenceOf, withDefault } from "../asn1/constructed";
import { boolean, integer, namedBits, octets } from "../asn1/primitives";
import { bytesEqual } from "../asn1/tlv";
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
import { allowedExtensions, X509Extension } from "./profile";

export const keyUsageNames = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;
export type KeyUsageName = (typeof keyUsageNames)[number];

const KeyUsage = namedBits(keyUsageNames);
const BasicConstraints = sequence({
  cA: withDefault(boolean(), false),
  pathLenConstraint: optional(integer({ min: 0, max: 255 })),
});
const AuthorityKeyIdentifier = sequence({
  keyIdentifier: optional(implicit(0, octets())),
  authorityCertIssuer: optional(implicit(1, sequenceOf(anyDer(), { min: 1 }))),
  // The serial's INTEGER content octets, kept as bytes: serials may exceed a JS number.
  authorityCertSerialNumber: optional(implicit(2, octets({ min: 1, max: 20 }))),
});

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

const attributeNames: Record<string, string> = {
  "2.5.4.6": "C",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.3": "CN",
  "2.5.4.8": "ST",
  "2.5.4.7": "L",
};

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const raw = (node: asn1js.AsnType) => new Uint8Array(node.valueBeforeDecodeView);

export class SetCertificate {
  /** The certificate as received. */
  readonly der: Uint8Array;
  /** DER of TBSCertificate: what the issuer signed and what the thumb hashes. */
  readonly tbs: Uint8Array;
  readonly pkijs: pkijs.Certificate;
  readonly version: number;
  /** Serial number as lower-case hex of its INTEGER content octets. */
  readonly serialNumber: string;
  readonly serialBytes: Uint8Array;
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  /** Readable forms, e.g. `C=US, O=Visa, CN=Visa Merchant CA`; for messages and logs. */
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
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

  private thumbPromise?: Promise<Uint8Array>;

  constructor(der: Uint8Array) {
    this.der = new Uint8Array(der);
    let parsed: ReturnType<typeof asn1js.fromBER>;
    try {
      parsed = asn1js.fromBER(this.der);
    } catch (e) {
      // asn1js throws on some malformed primitives (a UniversalString not a multiple of 4 bytes).
      throw new SetError("invalidCertificate", `unreadable BER (${(e as Error).name})`, "certificate");
    }
    if (parsed.offset === -1 || parsed.offset !== this.der.length)
      throw new SetError(
        "invalidCertificate",
        "certificate is not one complete BER/DER object",
        "certificate",
      );
    let cert: pkijs.Certificate;
    try {
      cert = new pkijs.Certificate({ schema: parsed.result });
    } catch (e) {
      throw new SetError(
        "invalidCertificate",
        `not an X.509 certificate: ${(e as Error).message}`,
        "certificate",
      );
    }
    this.pkijs = cert;
    const outer = (parsed.result as asn1js.Sequence).valueBlock.value;
    this.tbs = raw(outer[0]);
    const fields = (outer[0] as asn1js.Sequence).valueBlock.value;
    const at = fields[0]?.idBlock.tagClass === 3 ? 1 : 0;
    this.version = cert.version + 1;
    this.serialBytes = new Uint8Array(cert.serialNumber.valueBlock.valueHexView);
    this.serialNumber = hex(this.serialBytes);
    this.issuerDer = raw(fields[at + 2]);
    this.subjectDer = raw(fields[at + 4]);
    this.spki = raw(fields[at + 5]);
    this.subject = nameText(cert.subject);
    this.issuer = nameText(cert.issuer);
    this.notBefore = cert.notBefore.value;
    this.notAfter = cert.notAfter.value;
    this.signatureAlgorithm = cert.signatureAlgorithm.algorithmId;
    this.signature = new Uint8Array(cert.signatureValue.valueBlock.valueHexView);
    this.selfIssued = bytesEqual(this.issuerDer, this.subjectDer);
    this.brand = this.selfIssued ? undefined : attribute(cert.subject, "2.5.4.10");

    const seen = new Set<string>();
    const extensions: RawCertExtension[] = [];
    for (const e of cert.extensions ?? []) {
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
      extensions.push({
        oid: e.extnID,
        critical: e.critical,
        value: new Uint8Array(e.extnValue.valueBlock.valueHexView),
      });
    }
    this.extensions = extensions;
    const value = <T>(oid: string, codec: Codec<T>): T | undefined => {
      const e = extensions.find((x) => x.oid === oid);
      if (!e) return undefined;
      try {
        const decoded = decodeDer(codec, e.value, `extension ${oid}`);
        // pkijs refuses a critical extension it has no parser for; ours are handled here, so say so.
        const own = cert.extensions?.find((x) => x.extnID === oid);
        if (own && own.parsedValue === undefined) own.parsedValue = decoded;
        return decoded;
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
    const policies = cert.extensions?.find(
      (e) => e.extnID === X509Extension.certificatePolicies,
    )?.parsedValue;
    if (policies instanceof pkijs.CertificatePolicies)
      this.policies = policies.certificatePolicies.map((p) => p.policyIdentifier);
  }

  /** Names the certificate in error messages (never personal data: cardholder CNs are blinded). */
  get where(): string {
    return `certificate ${this.subject} #${this.serialNumber}`;
  }

  extension(oid: string): RawCertExtension | undefined {
    return this.extensions.find((e) => e.oid === oid);
  }

  hasRole(role: CertificateRole): boolean {
    return this.certificateType?.includes(role) ?? false;
  }

  /**
   * SET thumbprint: SHA-256 over the TBSCertificate DER. Computed once per object with the first
   * provider asked; the result does not depend on the provider.
   */
  thumb(crypto: Crypto): Promise<Uint8Array> {
    this.thumbPromise ??= crypto.subtle
      .digest("SHA-256", new Uint8Array(this.tbs))
      .then((d) => new Uint8Array(d));
    return this.thumbPromise;
  }
}

/** Parse a DER certificate; SetError `invalidCertificate` or `unrecognizedExtension` on refusal. */
export function parseSetCertificate(der: Uint8Array): SetCertificate {
  return new SetCertificate(der);
}

function nameText(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${attributeNames[tv.type] ?? tv.type}=${String(tv.value.valueBlock.value)}`)
    .join(", ");
}

function attribute(name: pkijs.RelativeDistinguishedNames, type: string): string | undefined {
  const tv = name.typesAndValues.find((x) => x.type === type);
  return tv ? String(tv.value.valueBlock.value) : undefined;
}
