/**
 * Builds one X.509 v3 certificate from a profile row (profiles.ts) and the values of one
 * issuance. Every extension decision is read from the row; nothing here depends on which kind
 * of certificate it is.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import {
  type CryptoProvider,
  concatBytes,
  context,
  encodeDer,
  fromHex,
  schema,
  tlv,
  universal,
} from "@setlab/protocol";
import * as asn1js from "asn1js";
import { brandRequiresCardholderCertificates } from "./brandPolicy";
import type { CertificateProfile } from "./profiles";

const sha256WithRsa = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const X509 = { authorityKeyIdentifier: "2.5.29.35", cRLNumber: "2.5.29.20" } as const;

export interface SubjectFields {
  readonly commonName: string;
  /** Two-letter country; default US. */
  readonly country?: string;
}

export interface BuildParams {
  readonly profile: CertificateProfile;
  readonly subject: SubjectFields;
  /** Required for branded and cardholder subjects. */
  readonly brand?: string;
  /** The issuing CA's certificate; absent for a self-issued root. */
  readonly issuerCertificate?: Uint8Array;
  /** Positive, hex, even length, top bit clear. */
  readonly serialHex: string;
  /** DER SubjectPublicKeyInfo of the certified key. */
  readonly spki: Uint8Array;
  readonly signingKey: CryptoKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly merchantData?: schema.MerchantData;
  /** For a root: DER SPKI of the successor root, hashed into hashedRootKey. */
  readonly nextRootSpki?: Uint8Array;
  readonly provider: CryptoProvider;
}

const own = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);
const ext = (oid: string, critical: boolean, value: Uint8Array) =>
  new x509.Extension(oid, critical, own(value));

/** The subject Name the profile's subject form prescribes. */
export function subjectName(profile: CertificateProfile, fields: SubjectFields, brand?: string): x509.Name {
  const c = fields.country ?? "US";
  if (profile.subject === "root")
    return new x509.Name([{ C: [c] }, { O: ["SET Lab"] }, { CN: [fields.commonName] }]);
  if (!brand) throw new Error(`profile ${profile.name} needs a brand`);
  return new x509.Name([{ C: [c] }, { O: [brand] }, { OU: [profile.role] }, { CN: [fields.commonName] }]);
}

export async function buildCertificate(p: BuildParams): Promise<Uint8Array> {
  const { profile } = p;
  const subject = subjectName(profile, p.subject, p.brand);
  const subjectDer = new Uint8Array(subject.toArrayBuffer());
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(
      profile.keyUsage.reduce((acc, n) => acc | x509.KeyUsageFlags[n], 0),
      true,
    ),
  ];
  if (profile.basicConstraints)
    extensions.push(new x509.BasicConstraintsExtension(true, profile.basicConstraints.pathLength, true));
  extensions.push(new x509.CertificatePolicyExtension([...profile.policies], true));
  // SET: the issuer's certificate is named by its issuer and serial, never by a key identifier.
  const aki = p.issuerCertificate
    ? authorityKeyIdentifierOf(p.issuerCertificate)
    : akiDer(subjectDer, fromHex(p.serialHex, "serialHex"));
  extensions.push(ext(X509.authorityKeyIdentifier, false, aki));
  extensions.push(
    ext(schema.CertExtension.certificateType, true, encodeDer(schema.CertificateType, [profile.role])),
  );
  if (profile.merchantData) {
    if (!p.merchantData) throw new Error(`profile ${profile.name} needs merchantData`);
    extensions.push(
      ext(schema.CertExtension.merchantData, false, encodeDer(schema.MerchantData, p.merchantData)),
    );
  }
  if (profile.hashedRootKey) {
    if (!p.nextRootSpki) throw new Error(`profile ${profile.name} needs the successor root's key`);
    const hash = new Uint8Array(await p.provider.crypto.subtle.digest("SHA-256", own(p.nextRootSpki)));
    const value = encodeDer(schema.HashedRootKey, {
      digestAlgorithm: { algorithm: schema.Std.sha256 },
      rootKeyHash: hash,
    });
    extensions.push(ext(schema.CertExtension.hashedRootKey, true, value));
  }
  if (profile.cardCertRequired) {
    if (!p.brand) throw new Error(`profile ${profile.name} needs a brand`);
    const required = brandRequiresCardholderCertificates(p.brand);
    extensions.push(
      ext(schema.CertExtension.cardCertRequired, false, encodeDer(schema.CardCertRequired, required)),
    );
  }
  if (profile.tunneling)
    extensions.push(
      ext(schema.CertExtension.tunneling, false, encodeDer(schema.Tunneling, profile.tunneling)),
    );

  const issuer = p.issuerCertificate ? new x509.Name(own(tbsFields(p.issuerCertificate).subject)) : subject;
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: p.serialHex,
      subject,
      issuer,
      notBefore: p.notBefore,
      notAfter: p.notAfter,
      signingAlgorithm: sha256WithRsa,
      publicKey: own(p.spki),
      signingKey: p.signingKey,
      extensions,
    },
    p.provider.crypto,
  );
  return new Uint8Array(cert.rawData);
}

export interface CrlParams {
  readonly issuerCertificate: Uint8Array;
  readonly signingKey: CryptoKey;
  readonly number: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly entries: readonly { serialHex: string; revokedAt: Date; reason: number }[];
  readonly provider: CryptoProvider;
}

/** An X.509 v2 CRL with cRLNumber and SET's issuer+serial authorityKeyIdentifier. */
export async function buildCrl(p: CrlParams): Promise<Uint8Array> {
  const crl = await x509.X509CrlGenerator.create(
    {
      issuer: new x509.Name(own(tbsFields(p.issuerCertificate).subject)),
      thisUpdate: p.thisUpdate,
      nextUpdate: p.nextUpdate,
      signingAlgorithm: sha256WithRsa,
      signingKey: p.signingKey,
      entries: p.entries.map((e) => ({
        serialNumber: e.serialHex,
        revocationDate: e.revokedAt,
        reason: e.reason as x509.X509CrlReason,
      })),
      extensions: [
        ext(X509.cRLNumber, false, new Uint8Array(new asn1js.Integer({ value: p.number }).toBER())),
        ext(X509.authorityKeyIdentifier, false, authorityKeyIdentifierOf(p.issuerCertificate)),
      ],
    },
    p.provider.crypto,
  );
  return new Uint8Array(crl.rawData);
}

interface TbsFields {
  readonly tbs: Uint8Array;
  readonly serial: Uint8Array;
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
}

/** The exact DER of a certificate's names and serial: re-encoding could change string types. */
export function tbsFields(certificateDer: Uint8Array): TbsFields {
  const parsed = asn1js.fromBER(own(certificateDer));
  if (parsed.offset === -1) throw new Error("not a certificate");
  const tbs = (parsed.result as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
  const f = tbs.valueBlock.value;
  const raw = (n: asn1js.AsnType) => new Uint8Array(n.valueBeforeDecodeView);
  return {
    tbs: raw(tbs),
    serial: new Uint8Array((f[1] as asn1js.Integer).valueBlock.valueHexView),
    issuer: raw(f[3]),
    subject: raw(f[5]),
  };
}

/** SHA-256 over the first element (the to-be-signed part) of a signed X.509 object: SET's thumb. */
export async function signedObjectThumb(p: CryptoProvider, der: Uint8Array): Promise<Uint8Array> {
  const parsed = asn1js.fromBER(own(der));
  if (parsed.offset === -1) throw new Error("not DER");
  const tbs = (parsed.result as asn1js.Sequence).valueBlock.value[0];
  return new Uint8Array(await p.crypto.subtle.digest("SHA-256", new Uint8Array(tbs.valueBeforeDecodeView)));
}

function authorityKeyIdentifierOf(issuerCertificate: Uint8Array): Uint8Array {
  const f = tbsFields(issuerCertificate);
  return akiDer(f.issuer, f.serial);
}

function akiDer(issuerNameDer: Uint8Array, serialContent: Uint8Array): Uint8Array {
  // AuthorityKeyIdentifier ::= SEQUENCE { [1] IMPLICIT GeneralNames { [4] EXPLICIT Name }, [2] IMPLICIT INTEGER }
  const generalNames = tlv(context(1), true, tlv(context(4), true, issuerNameDer));
  return tlv(universal(16), true, concatBytes([generalNames, tlv(context(2), false, serialContent)]));
}
