/**
 * Readable dumps of the CA's objects: a SET certificate with its SET extensions decoded, an X.509
 * CRL, and a signed BrandCRLIdentifier. The text is for people; nothing parses it back.
 */
import {
  decodeDer,
  parseSetCertificate,
  type SetCertificate,
  schema,
  toHex,
  X509Extension,
} from "@setlab/protocol";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { CliFailure } from "./cliFailure";

const { CertExtension } = schema;

const roleNames: Record<schema.CertificateRole, string> = {
  card: "cardholder",
  mer: "merchant",
  pgwy: "payment gateway",
  cca: "cardholder CA",
  mca: "merchant CA",
  pca: "payment gateway CA",
  gca: "geopolitical CA",
  bca: "brand CA",
  rca: "root CA",
  acq: "acquirer",
};

const oidNames: Record<string, string> = {
  "1.2.840.113549.1.1.1": "rsaEncryption",
  "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.10": "RSASSA-PSS",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.23.42.5.0": "set-policy-root",
  "2.5.29.20": "cRLNumber",
  "2.5.29.35": "authorityKeyIdentifier",
  "2.5.29.14": "subjectKeyIdentifier",
};

const crlReasons = [
  "unspecified",
  "keyCompromise",
  "cACompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
  "unused(7)",
  "removeFromCRL",
  "privilegeWithdrawn",
  "aACompromise",
];

export type ObjectKind = "certificate" | "crl" | "bci";

const oidText = (oid: string) => (oidNames[oid] ? `${oidNames[oid]} (${oid})` : oid);
const line = (key: string, value: string) => `  ${`${key}:`.padEnd(33)} ${value}\n`;

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
}

/** Which of the CA's objects `der` is, by its PEM label when there is one, else by structure. */
export function detectKind(der: Uint8Array, label?: string): ObjectKind {
  if (label === "CERTIFICATE") return "certificate";
  if (label === "X509 CRL") return "crl";
  if (label === "SET BRAND CRL IDENTIFIER") return "bci";
  if (label !== undefined) throw new CliFailure(`unsupported PEM block "${label}"`);
  try {
    decodeDer(schema.BrandCRLIdentifier, der);
    return "bci";
  } catch {
    // Not a BCI: try the X.509 shapes.
  }
  const parsed = asn1js.fromBER(new Uint8Array(der));
  if (parsed.offset === -1 || parsed.offset !== der.length) throw new CliFailure("not a DER or PEM object");
  for (const [kind, Type] of [
    ["certificate", pkijs.Certificate],
    ["crl", pkijs.CertificateRevocationList],
  ] as const) {
    try {
      new Type({ schema: parsed.result });
      return kind;
    } catch {
      // Try the next shape.
    }
  }
  throw new CliFailure("neither a certificate, a CRL nor a BrandCRLIdentifier");
}

export async function describe(der: Uint8Array, kind: ObjectKind): Promise<string> {
  if (kind === "certificate") return describeCertificate(parseSetCertificate(der));
  if (kind === "crl") return describeCrl(der);
  return describeBci(der);
}

export async function describeCertificate(cert: SetCertificate): Promise<string> {
  const critical = (oid: string) => (cert.extension(oid)?.critical ? " (critical)" : "");
  let s = "SET certificate\n";
  s += line("subject", cert.subject);
  s += line("issuer", cert.issuer);
  s += line("serial", cert.serialNumber);
  s += line("validity", `${cert.notBefore.toISOString()} .. ${cert.notAfter.toISOString()}`);
  s += line("signature algorithm", oidText(cert.signatureAlgorithm));
  s += line("public key", publicKeyText(pkijs.PublicKeyInfo.fromBER(new Uint8Array(cert.spki))));
  s += line("thumb (SHA-256 of TBS)", toHex(await sha256(cert.tbs)));
  if (cert.brand) s += line("brand", cert.brand);
  if (cert.certificateType)
    s += line(
      `certificateType${critical(CertExtension.certificateType)}`,
      cert.certificateType.map((r) => `${r} (${roleNames[r]})`).join(", "),
    );
  if (cert.keyUsage) s += line(`keyUsage${critical(X509Extension.keyUsage)}`, cert.keyUsage.join(", "));
  if (cert.basicConstraints) {
    const bc = cert.basicConstraints;
    s += line(
      `basicConstraints${critical(X509Extension.basicConstraints)}`,
      bc.ca ? `CA${bc.pathLength !== undefined ? `, pathLen ${bc.pathLength}` : ""}` : "end entity",
    );
  }
  if (cert.policies)
    s += line(
      `certificatePolicies${critical(X509Extension.certificatePolicies)}`,
      cert.policies.map(oidText).join(", "),
    );
  const aki = cert.authorityKeyIdentifier;
  if (aki) {
    const parts: string[] = [];
    if (aki.issuerGeneralName) parts.push(`issuer ${generalNameText(aki.issuerGeneralName)}`);
    if (aki.serialNumber) parts.push(`serial ${toHex(aki.serialNumber)}`);
    if (aki.keyIdentifier) parts.push(`keyId ${toHex(aki.keyIdentifier)}`);
    s += line("authorityKeyIdentifier", parts.join(", "));
  }
  const md = cert.merchantData;
  if (md) {
    s += line(
      "merchantData",
      `merID ${md.merID}, acquirer BIN ${md.merAcquirerBIN}, country ${md.merCountry}`,
    );
    s += line("  merAuthFlag", String(md.merAuthFlag));
    for (const n of md.merNameSeq)
      s += line(
        `  name${n.language ? ` [${n.language}]` : ""}`,
        [n.name, n.city, n.stateProvince, n.postalCode, n.countryName].filter(Boolean).join(", "),
      );
  }
  if (cert.hashedRootKey)
    s += line(
      `hashedRootKey${critical(CertExtension.hashedRootKey)}`,
      `${oidText(cert.hashedRootKey.digestAlgorithm.algorithm)} ${toHex(cert.hashedRootKey.rootKeyHash)}`,
    );
  if (cert.cardCertRequired !== undefined) s += line("cardCertRequired", String(cert.cardCertRequired));
  if (cert.tunneling)
    s += line(
      "tunneling",
      `${cert.tunneling.tunneling}, algorithms ${cert.tunneling.tunnelAlgIDs.join(", ")}`,
    );
  if (cert.setExtensions) s += line("setExtensions", cert.setExtensions.join(", "));
  const shown = new Set<string>([
    X509Extension.keyUsage,
    X509Extension.basicConstraints,
    X509Extension.certificatePolicies,
    X509Extension.authorityKeyIdentifier,
    CertExtension.certificateType,
    CertExtension.merchantData,
    CertExtension.hashedRootKey,
    CertExtension.cardCertRequired,
    CertExtension.tunneling,
    CertExtension.setExtensions,
  ]);
  for (const e of cert.extensions)
    if (!shown.has(e.oid))
      s += line(`extension ${oidText(e.oid)}${e.critical ? " (critical)" : ""}`, toHex(e.value));
  return s;
}

export async function describeCrl(der: Uint8Array): Promise<string> {
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = pkijs.CertificateRevocationList.fromBER(new Uint8Array(der));
  } catch (e) {
    throw new CliFailure(`not an X.509 CRL: ${(e as Error).message}`);
  }
  let s = "X.509 CRL\n";
  s += line("issuer", rdnText(crl.issuer));
  s += line("thisUpdate", crl.thisUpdate.value.toISOString());
  if (crl.nextUpdate) s += line("nextUpdate", crl.nextUpdate.value.toISOString());
  const number = crl.crlExtensions?.extensions.find((e) => e.extnID === "2.5.29.20")?.parsedValue;
  if (number instanceof asn1js.Integer) s += line("cRLNumber", number.toBigInt().toString());
  s += line("signature algorithm", oidText(crl.signatureAlgorithm.algorithmId));
  s += line("thumb (SHA-256 of TBS)", toHex(await sha256(new Uint8Array(crl.tbsView))));
  const revoked = crl.revokedCertificates ?? [];
  s += line("revoked certificates", String(revoked.length));
  for (const r of revoked) {
    const reason = r.crlEntryExtensions?.extensions.find((e) => e.extnID === "2.5.29.21")?.parsedValue;
    const reasonText =
      reason instanceof asn1js.Enumerated
        ? (crlReasons[reason.valueBlock.valueDec] ?? "unknown")
        : "unspecified";
    s += line(
      `  ${toHex(new Uint8Array(r.userCertificate.valueBlock.valueHexView))}`,
      `${r.revocationDate.value.toISOString()} ${reasonText}`,
    );
  }
  return s;
}

export async function describeBci(der: Uint8Array): Promise<string> {
  const bci = decodeDer(schema.BrandCRLIdentifier, new Uint8Array(der));
  const c = decodeDer(schema.UnsignedBrandCRLIdentifier, bci.unsignedBrandCRLIdentifier);
  let s = "BrandCRLIdentifier\n";
  s += line("brandID", c.brandID);
  s += line("sequenceNum", String(c.sequenceNum));
  s += line("validity", `${c.notBefore.toISOString()} .. ${c.notAfter.toISOString()}`);
  s += line("brandCAThumb", toHex(c.brandCAThumb));
  s += line("signature algorithm", oidText(bci.signatureAlgorithm.algorithm));
  s += line("thumb (SHA-256 of unsigned)", toHex(await sha256(bci.unsignedBrandCRLIdentifier)));
  s += line("CRLs in force", String(c.idCRLs.length));
  for (const id of c.idCRLs)
    s += line(`  #${id.crlNumber} ${nameDerText(id.issuerName)}`, `thumb ${toHex(id.crlThumb)}`);
  return s;
}

function publicKeyText(spki: pkijs.PublicKeyInfo): string {
  const alg = oidText(spki.algorithm.algorithmId);
  const key = spki.parsedKey;
  if (key instanceof pkijs.RSAPublicKey) {
    const m = new Uint8Array(key.modulus.valueBlock.valueHexView);
    const bits = (m.length - (m[0] === 0 ? 1 : 0)) * 8;
    return `${alg}, ${bits} bits`;
  }
  return alg;
}

function rdnText(name: pkijs.RelativeDistinguishedNames): string {
  const short: Record<string, string> = {
    "2.5.4.6": "C",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.3": "CN",
  };
  return name.typesAndValues
    .map((tv) => `${short[tv.type] ?? tv.type}=${String(tv.value.valueBlock.value)}`)
    .join(", ");
}

function nameDerText(der: Uint8Array): string {
  try {
    return rdnText(pkijs.RelativeDistinguishedNames.fromBER(new Uint8Array(der)));
  } catch {
    return toHex(der);
  }
}

/** A GeneralName that is a directoryName ([4] EXPLICIT Name) in readable form, else hex. */
function generalNameText(der: Uint8Array): string {
  const parsed = asn1js.fromBER(new Uint8Array(der));
  const node = parsed.result as asn1js.Constructed;
  if (
    parsed.offset !== -1 &&
    node.idBlock.tagClass === 3 &&
    node.idBlock.tagNumber === 4 &&
    node.valueBlock.value?.[0]
  )
    return nameDerText(new Uint8Array(node.valueBlock.value[0].toBER()));
  return toHex(der);
}
