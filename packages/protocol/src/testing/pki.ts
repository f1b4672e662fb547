/**
 * A real SET-shaped certificate hierarchy for tests: root -> brand CA -> cardholder, merchant and
 * gateway CAs -> end entities, each with the SET certificate profile (critical keyUsage,
 * basicConstraints on CAs, critical certificatePolicies, critical certificateType, merchantData,
 * hashedRootKey, cardCertRequired, authorityKeyIdentifier in issuer+serial form).
 *
 * Deterministic when the caller fixes keys, dates and serials (RSASSA-PKCS1-v1_5 signatures are
 * deterministic), so golden vectors can be built from it; `overrides` make deliberately wrong
 * certificates for negative tests. Test-only code: it reads the clock and randomness directly.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import * as asn1js from "asn1js";
import { encodeDer } from "../asn1/codec";
import { context, tlv, universal } from "../asn1/tlv";
import { type CryptoProvider, defaultProvider } from "../crypto/provider";
import {
  CardCertRequired,
  type CertificateRole,
  CertificateType,
  HashedRootKey,
  MerchantData,
} from "../schema/certExtensions";
import { CertExtension, SetPolicyRoot, Std } from "../schema/oids";
import { wholeSeconds } from "../wholeSeconds";
import { type PooledDer, pooledKeyPair } from "./testKeyPool";

export const partyNames = [
  "root",
  "nextRoot",
  "brandCa",
  "cardholderCa",
  "merchantCa",
  "gatewayCa",
  "cardholder",
  "merchantSig",
  "merchantKex",
  "gatewaySig",
  "gatewayKex",
] as const;
export type PartyName = (typeof partyNames)[number];

/** What the certified key is for: a CA's certificate-signing key, an end entity's signature or key-exchange key. */
export type KeyUse = "ca" | "signature" | "keyEncipherment";

export interface TestParty {
  readonly name: string;
  /** DER. */
  readonly certificate: Uint8Array;
  readonly certificatePem: string;
  readonly privateKey: CryptoKey;
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  readonly publicKey: CryptoKey;
}

export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue contents (DER of the extension's own type). */
  readonly value: Uint8Array;
}

export type KeyUsageName = keyof typeof x509.KeyUsageFlags;

/** Deliberate deviations from the SET profile, for negative tests. `null` leaves the extension out. */
export interface CertificateOverrides {
  readonly certificateType?: readonly CertificateRole[] | null;
  readonly keyUsage?: readonly KeyUsageName[] | null;
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLength?: number } | null;
  readonly certificatePolicies?: readonly string[] | null;
  readonly authorityKeyIdentifier?: null;
  readonly merchantData?: null;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Sign with this key while still naming the real issuer (a forged or mis-signed certificate). */
  readonly signWith?: CryptoKey;
  /** Subject organisation, which carries the brand below the root; null leaves O= out. */
  readonly brand?: string | null;
  readonly extraExtensions?: readonly RawExtension[];
}

export interface PartyProfile {
  /** Party label, also the subject commonName. */
  readonly name: string;
  readonly roles: readonly CertificateRole[];
  readonly use: KeyUse;
  /** The brand (subject O=) for certificates below the root. */
  readonly brand?: string;
  readonly keys?: CryptoKeyPair;
  /** Hexadecimal, positive. */
  readonly serialNumber?: string;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly merchantData?: MerchantData;
  readonly cardCertRequired?: boolean;
  /** For a root: DER SubjectPublicKeyInfo of the next root, hashed into hashedRootKey. */
  readonly nextRootSpki?: Uint8Array;
  readonly pathLength?: number;
  readonly overrides?: CertificateOverrides;
}

export interface TestPkiOptions {
  /** BrandID of the brand CA and everything under it. Default "Visa". */
  readonly brand?: string;
  readonly keys?: Partial<Record<PartyName, CryptoKeyPair>>;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Serial of the root; the others follow in `partyNames` order. Default: random. */
  readonly serialSeed?: number;
  readonly merchantData?: MerchantData;
  readonly cardCertRequired?: boolean;
  readonly overrides?: Partial<Record<PartyName, CertificateOverrides>>;
}

export interface TestPki extends Record<PartyName, TestParty> {
  readonly brand: string;
  readonly parties: Readonly<Record<PartyName, TestParty>>;
  /** DER certificates between a party and the root, nearest first (root excluded). */
  intermediatesOf(name: PartyName): Uint8Array[];
}

export const defaultMerchantData: MerchantData = {
  merID: "SETLAB-MER-0001",
  merAcquirerBIN: "411111",
  merNameSeq: [{ language: "en", name: "SET Lab Test Shop", city: "Kawasaki", countryName: "Japan" }],
  merCountry: 392,
  merAuthFlag: true,
};

const rsaSign = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const rsaOaep = { name: "RSA-OAEP", hash: "SHA-256" } as const;
const rsaParams = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };

/** One RSA-2048 key pair of the right kind for `use`, extractable. */
export async function generateTestKeyPair(
  use: KeyUse,
  p: CryptoProvider = defaultProvider,
): Promise<CryptoKeyPair> {
  return use === "keyEncipherment"
    ? p.crypto.subtle.generateKey({ ...rsaOaep, ...rsaParams }, true, [
        "encrypt",
        "decrypt",
        "wrapKey",
        "unwrapKey",
      ])
    : p.crypto.subtle.generateKey({ ...rsaSign, ...rsaParams }, true, ["sign", "verify"]);
}

// RSA key generation dominates the cost of a test PKI; keys are reused per provider and party,
// and come from the test run's key pool (testKeyPool.ts) when there is one.
const keyCache = new WeakMap<Crypto, Map<string, Promise<CryptoKeyPair>>>();

/** A cached key pair for `slot`: the same keys for every test in this process using the same provider. */
export function cachedTestKeyPair(
  slot: string,
  use: KeyUse,
  p: CryptoProvider = defaultProvider,
): Promise<CryptoKeyPair> {
  let perProvider = keyCache.get(p.crypto);
  if (!perProvider) {
    perProvider = new Map();
    keyCache.set(p.crypto, perProvider);
  }
  const key = `${slot}/${use}`;
  let pair = perProvider.get(key);
  if (!pair) {
    const pooled = pooledKeyPair(slot, use);
    pair = pooled ? importTestKeyPair(pooled, use, p) : generateTestKeyPair(use, p);
    perProvider.set(key, pair);
  }
  return pair;
}

let freshSlots = 0;

/**
 * A key pair no other call in this process gets, as `generateTestKeyPair` makes: under a test
 * run, the run's next unused pooled pair of `use` (testKeyPool.ts), generated once for the run
 * and shared with the other test processes; outside a run, a generated one. For tests that need
 * keys of their own but do not test key generation (an RSA-2048 key pair is about 0.25 s of CPU
 * on a slow machine).
 */
export function freshTestKeyPair(use: KeyUse, p: CryptoProvider = defaultProvider): Promise<CryptoKeyPair> {
  const pooled = pooledKeyPair(`fresh-${freshSlots++}`, use);
  return pooled ? importTestKeyPair(pooled, use, p) : generateTestKeyPair(use, p);
}

/** A pooled key pair (testKeyPool.ts) imported for `use` into `p`, extractable like a generated one. */
async function importTestKeyPair(der: PooledDer, use: KeyUse, p: CryptoProvider): Promise<CryptoKeyPair> {
  const [algorithm, privateUsages, publicUsages]: [typeof rsaSign | typeof rsaOaep, KeyUsage[], KeyUsage[]] =
    use === "keyEncipherment"
      ? [rsaOaep, ["decrypt", "unwrapKey"], ["encrypt", "wrapKey"]]
      : [rsaSign, ["sign"], ["verify"]];
  const [privateKey, publicKey] = await Promise.all([
    p.crypto.subtle.importKey("pkcs8", der.pkcs8, algorithm, true, privateUsages),
    p.crypto.subtle.importKey("spki", der.spki, algorithm, true, publicUsages),
  ]);
  return { privateKey, publicKey };
}

interface PartyDefinition {
  readonly issuer: PartyName | null;
  readonly roles: readonly CertificateRole[];
  readonly use: KeyUse;
  readonly label: string;
}

const hierarchy: Record<PartyName, PartyDefinition> = {
  root: { issuer: null, roles: ["rca"], use: "ca", label: "SET Lab Root CA" },
  nextRoot: { issuer: null, roles: ["rca"], use: "ca", label: "SET Lab Root CA 2" },
  brandCa: { issuer: "root", roles: ["bca"], use: "ca", label: "Brand CA" },
  cardholderCa: { issuer: "brandCa", roles: ["cca"], use: "ca", label: "Cardholder CA" },
  merchantCa: { issuer: "brandCa", roles: ["mca"], use: "ca", label: "Merchant CA" },
  gatewayCa: { issuer: "brandCa", roles: ["pca"], use: "ca", label: "Payment Gateway CA" },
  cardholder: { issuer: "cardholderCa", roles: ["card"], use: "signature", label: "Cardholder" },
  // A party's signature and key-exchange certificates name the same entity (same subject), as
  // relying parties check they belong together.
  merchantSig: { issuer: "merchantCa", roles: ["mer"], use: "signature", label: "Merchant" },
  merchantKex: { issuer: "merchantCa", roles: ["mer"], use: "keyEncipherment", label: "Merchant" },
  gatewaySig: { issuer: "gatewayCa", roles: ["pgwy"], use: "signature", label: "Payment Gateway" },
  gatewayKex: { issuer: "gatewayCa", roles: ["pgwy"], use: "keyEncipherment", label: "Payment Gateway" },
};

/** Build the whole hierarchy. Keys come from `options.keys`, else from the per-process cache. */
export async function createTestPki(
  p: CryptoProvider = defaultProvider,
  options: TestPkiOptions = {},
): Promise<TestPki> {
  const brand = options.brand ?? "Visa";
  const notBefore = options.notBefore ?? defaultNotBefore();
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 2 * 365 * 86400_000);
  const seed = options.serialSeed ?? randomSerialSeed(p);
  const keys = {} as Record<PartyName, CryptoKeyPair>;
  await Promise.all(
    partyNames.map(async (n) => {
      keys[n] = options.keys?.[n] ?? (await cachedTestKeyPair(n, hierarchy[n].use, p));
    }),
  );
  const spki = async (n: PartyName) =>
    new Uint8Array(await p.crypto.subtle.exportKey("spki", keys[n].publicKey));

  const parties = {} as Record<PartyName, TestParty>;
  for (const [i, n] of partyNames.entries()) {
    const def = hierarchy[n];
    const isMerchant = def.roles.includes("mer");
    const isGateway = def.roles.includes("pgwy");
    parties[n] = await createTestParty(
      def.issuer ? parties[def.issuer] : null,
      {
        name: n === "root" || n === "nextRoot" ? def.label : `${brand} ${def.label}`,
        roles: def.roles,
        use: def.use,
        brand: def.issuer ? brand : undefined,
        keys: keys[n],
        serialNumber: (seed + i).toString(16),
        notBefore,
        notAfter,
        merchantData: isMerchant ? (options.merchantData ?? defaultMerchantData) : undefined,
        cardCertRequired: isGateway ? (options.cardCertRequired ?? false) : undefined,
        // The next root points back at the current one: enough for rollover tests, no third key needed.
        nextRootSpki:
          n === "root" ? await spki("nextRoot") : n === "nextRoot" ? await spki("root") : undefined,
        overrides: options.overrides?.[n],
      },
      p,
    );
  }

  const intermediatesOf = (name: PartyName): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let p = hierarchy[name].issuer; p && hierarchy[p].issuer; p = hierarchy[p].issuer)
      out.push(parties[p].certificate);
    return out;
  };
  return { ...parties, brand, parties, intermediatesOf };
}

/** Issue one certificate: signed by `issuer`, or self-signed when `issuer` is null. */
export async function createTestParty(
  issuer: TestParty | null,
  profile: PartyProfile,
  p: CryptoProvider = defaultProvider,
): Promise<TestParty> {
  const o = profile.overrides ?? {};
  const keys = profile.keys ?? (await generateTestKeyPair(profile.use, p));
  const serialNumber = profile.serialNumber ?? randomSerialSeed(p).toString(16);
  const brand = o.brand !== undefined ? o.brand : profile.brand;
  const subject =
    brand === null
      ? `C=US, OU=${profile.roles.join(" ")}, CN=${profile.name}`
      : brand
        ? `C=US, O=${brand}, OU=${profile.roles.join(" ")}, CN=${profile.name}`
        : `C=US, O=SET Lab, CN=${profile.name}`;
  const subjectName = new x509.Name(subject);
  const notBefore = o.notBefore ?? profile.notBefore ?? defaultNotBefore();
  const notAfter = o.notAfter ?? profile.notAfter ?? new Date(notBefore.getTime() + 365 * 86400_000);

  const extensions: x509.Extension[] = [];
  const keyUsage = o.keyUsage !== undefined ? o.keyUsage : defaultKeyUsage(profile);
  if (keyUsage) extensions.push(new x509.KeyUsagesExtension(keyUsageFlags(keyUsage), true));
  const basic =
    o.basicConstraints !== undefined
      ? o.basicConstraints
      : profile.use === "ca"
        ? { ca: true, pathLength: profile.pathLength }
        : null;
  if (basic) extensions.push(new x509.BasicConstraintsExtension(basic.ca, basic.pathLength, true));
  const policies = o.certificatePolicies !== undefined ? o.certificatePolicies : [SetPolicyRoot];
  if (policies) extensions.push(new x509.CertificatePolicyExtension([...policies], true));
  if (o.authorityKeyIdentifier !== null) {
    // SET: authorityKeyIdentifier names the issuer's certificate by its issuer and serial, never by key id.
    const issuerCert = issuer ? issuer.certificate : null;
    const aki = issuerCert
      ? authorityKeyIdentifierOf(issuerCert)
      : authorityKeyIdentifierFor(new Uint8Array(subjectName.toArrayBuffer()), serialNumber);
    extensions.push(rawExtension("2.5.29.35", false, aki));
  }
  const certificateType = o.certificateType !== undefined ? o.certificateType : profile.roles;
  if (certificateType)
    extensions.push(
      rawExtension(CertExtension.certificateType, true, encodeDer(CertificateType, [...certificateType])),
    );
  if (profile.merchantData && o.merchantData !== null)
    extensions.push(
      rawExtension(CertExtension.merchantData, false, encodeDer(MerchantData, profile.merchantData)),
    );
  if (profile.nextRootSpki) {
    const hash = new Uint8Array(await p.crypto.subtle.digest("SHA-256", own(profile.nextRootSpki)));
    const value = encodeDer(HashedRootKey, { digestAlgorithm: { algorithm: Std.sha256 }, rootKeyHash: hash });
    extensions.push(rawExtension(CertExtension.hashedRootKey, true, value));
  }
  if (profile.cardCertRequired !== undefined)
    extensions.push(
      rawExtension(
        CertExtension.cardCertRequired,
        false,
        encodeDer(CardCertRequired, profile.cardCertRequired),
      ),
    );
  for (const e of o.extraExtensions ?? []) extensions.push(rawExtension(e.oid, e.critical, e.value));

  const signingKey = o.signWith ?? (issuer ? issuer.privateKey : keys.privateKey);
  const issuerName = issuer ? new x509.Name(own(subjectOf(issuer.certificate))) : subjectName;
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber,
      subject: subjectName,
      issuer: issuerName,
      notBefore,
      notAfter,
      signingAlgorithm: rsaSign,
      publicKey: keys.publicKey,
      signingKey,
      extensions,
    },
    p.crypto,
  );
  const pkcs8 = await p.crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    name: profile.name,
    certificate: new Uint8Array(cert.rawData),
    certificatePem: `${cert.toString("pem").trimEnd()}\n`,
    privateKey: keys.privateKey,
    privateKeyPem: `${x509.PemConverter.encode(pkcs8, "PRIVATE KEY").trimEnd()}\n`,
    publicKey: keys.publicKey,
  };
}

/** A copy on a plain ArrayBuffer, which WebCrypto and @peculiar/x509 typings require. */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

const rawExtension = (oid: string, critical: boolean, value: Uint8Array) =>
  new x509.Extension(oid, critical, own(value));

function defaultKeyUsage(profile: PartyProfile): KeyUsageName[] {
  if (profile.use === "signature") return ["digitalSignature"];
  if (profile.use === "keyEncipherment") return ["keyEncipherment"];
  // Digest 1.3: CCA, MCA, PCA and GCA also sign (registration responses); BCA and RCA only certify.
  const certifiesOnly = profile.roles.some((r) => r === "bca" || r === "rca");
  return certifiesOnly ? ["keyCertSign", "cRLSign"] : ["digitalSignature", "keyCertSign", "cRLSign"];
}

function keyUsageFlags(names: readonly KeyUsageName[]): number {
  return names.reduce((acc, n) => acc | x509.KeyUsageFlags[n], 0);
}

function defaultNotBefore(): Date {
  const now = wholeSeconds(new Date()).getTime();
  return new Date(now - 3600_000);
}

function randomSerialSeed(p: CryptoProvider): number {
  // Positive 39-bit value: room for the per-party increments, exact as a JS number.
  const b = p.crypto.getRandomValues(new Uint8Array(5));
  return ((b[0] & 0x3f) | 0x40) * 2 ** 32 + ((b[1] << 24) >>> 0) + (b[2] << 16) + (b[3] << 8) + b[4];
}

function tbsFields(certificateDer: Uint8Array): asn1js.AsnType[] {
  const parsed = asn1js.fromBER(certificateDer);
  if (parsed.offset === -1) throw new Error("not a certificate");
  const tbs = (parsed.result as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
  return tbs.valueBlock.value;
}

/** Exact DER of a certificate's subject Name (re-encoding could change string types). */
function subjectOf(certificateDer: Uint8Array): Uint8Array {
  return new Uint8Array(tbsFields(certificateDer)[5].valueBeforeDecodeView);
}

/** authorityKeyIdentifier naming `issuerCertificate` by its own issuer Name and serial number. */
export function authorityKeyIdentifierOf(issuerCertificate: Uint8Array): Uint8Array {
  const f = tbsFields(issuerCertificate);
  const serial = (f[1] as asn1js.Integer).valueBlock.valueHexView;
  return akiDer(new Uint8Array(f[3].valueBeforeDecodeView), new Uint8Array(serial));
}

function authorityKeyIdentifierFor(issuerNameDer: Uint8Array, serialHex: string): Uint8Array {
  const hex = serialHex.length % 2 ? `0${serialHex}` : serialHex;
  let serial = Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  if (serial[0] & 0x80) serial = Uint8Array.of(0, ...serial);
  return akiDer(issuerNameDer, serial);
}

function akiDer(issuerNameDer: Uint8Array, serialContent: Uint8Array): Uint8Array {
  // AuthorityKeyIdentifier ::= SEQUENCE { [1] IMPLICIT GeneralNames { [4] EXPLICIT Name }, [2] IMPLICIT INTEGER }
  const generalNames = tlv(context(1), true, tlv(context(4), true, issuerNameDer));
  const serial = tlv(context(2), false, serialContent);
  const body = new Uint8Array(generalNames.length + serial.length);
  body.set(generalNames);
  body.set(serial, generalNames.length);
  return tlv(universal(16), true, body);
}
