/**
 * A whole SET hierarchy (digest 1.2): Root -> per brand a Brand CA -> optional Geopolitical CA ->
 * Cardholder, Merchant and Payment Gateway CAs. The root carries hashedRootKey of a successor
 * whose key pair is generated now and kept for the rollover.
 */
import type { CryptoProvider } from "@setlab/protocol";
import { publishBrandCRLIdentifier } from "./brandCrlIdentifier";
import { CertificateAuthority } from "./certificateAuthority";
import { CaError } from "./errors";
import type { ProfileName } from "./profiles";
import type { BciRecord, CaStore } from "./store";

export interface BrandCas {
  readonly brand: string;
  readonly bca: CertificateAuthority;
  readonly gca?: CertificateAuthority;
  readonly cca: CertificateAuthority;
  readonly mca: CertificateAuthority;
  readonly pca: CertificateAuthority;
}

export interface Hierarchy {
  readonly root: CertificateAuthority;
  /** The successor root's keys: its SPKI is what the root's hashedRootKey commits to. */
  readonly nextRootKeys: CryptoKeyPair;
  readonly brands: Readonly<Record<string, BrandCas>>;
  /** CA certificates between `ca` and the root, nearest first, root excluded; `ca` itself included. */
  chainOf(ca: CertificateAuthority): Uint8Array[];
  /** The next signed BrandCRLIdentifier of `brand`, naming the current CRL of the root and of every CA of the brand; recorded in the store. */
  bci(brand: string, lifetimeDays?: number): Promise<BciRecord>;
}

export interface HierarchyOptions {
  readonly brands: readonly string[];
  /** Put a Geopolitical CA between each Brand CA and its end-entity CAs. */
  readonly geopolitical?: boolean;
  readonly store: CaStore;
  readonly provider: CryptoProvider;
  /** Existing key pairs by slot (`root`, `nextRoot`, `<brand>/bca`, ...); others are generated. */
  readonly keys?: Readonly<Record<string, CryptoKeyPair>>;
  /** Root commonName; default "SET Lab Root CA". */
  readonly rootCommonName?: string;
  /** A word put into every CA's commonName after the brand ("Visa <word> Merchant CA"), to tell hierarchies apart. */
  readonly caNameQualifier?: string;
}

/** An extractable RSA-2048 signing key pair, as every CA uses. */
export function generateCaKeyPair(provider: CryptoProvider): Promise<CryptoKeyPair> {
  return provider.crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      hash: "SHA-256",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
    },
    true,
    ["sign", "verify"],
  );
}

/**
 * The key slots of a hierarchy, as `HierarchyOptions.keys` names them: `root`, `nextRoot`, then per
 * brand `<brand>/bca`, `<brand>/gca` (geopolitical only), `<brand>/cca`, `<brand>/mca`, `<brand>/pca`.
 */
export function hierarchyKeySlots(brands: readonly string[], geopolitical = false): string[] {
  const cas = ["bca", ...(geopolitical ? ["gca"] : []), "cca", "mca", "pca"];
  return ["root", "nextRoot", ...brands.flatMap((b) => cas.map((ca) => `${b}/${ca}`))];
}

const caLabels: Record<"bca" | "gca" | "cca" | "mca" | "pca", string> = {
  bca: "Brand CA",
  gca: "Geopolitical CA",
  cca: "Cardholder CA",
  mca: "Merchant CA",
  pca: "Payment Gateway CA",
};

export async function createHierarchy(o: HierarchyOptions): Promise<Hierarchy> {
  if (o.brands.length === 0) throw new CaError("badRequest", "at least one brand");
  if (new Set(o.brands).size !== o.brands.length) throw new CaError("badRequest", "brands repeat");
  const keysFor = (slot: string) => o.keys?.[slot] ?? generateCaKeyPair(o.provider);
  const { crypto } = o.provider;
  const nextRootKeys = await keysFor("nextRoot");
  const root = await CertificateAuthority.createRoot({
    keys: await keysFor("root"),
    nextRootSpki: new Uint8Array(await crypto.subtle.exportKey("spki", nextRootKeys.publicKey)),
    commonName: o.rootCommonName,
    store: o.store,
    provider: o.provider,
  });

  const issuerOf = new Map<CertificateAuthority, CertificateAuthority>();
  const subordinate = async (
    parent: CertificateAuthority,
    brand: string,
    profile: keyof typeof caLabels,
  ): Promise<CertificateAuthority> => {
    const keys = await keysFor(`${brand}/${profile}`);
    const issued = await parent.issue({
      profile: profile as ProfileName,
      commonName: [brand, o.caNameQualifier, caLabels[profile]].filter(Boolean).join(" "),
      brand,
      publicKey: new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)),
    });
    const ca = await CertificateAuthority.open({
      certificate: issued.der,
      privateKey: keys.privateKey,
      profile,
      store: o.store,
      provider: o.provider,
    });
    issuerOf.set(ca, parent);
    return ca;
  };

  const brands: Record<string, BrandCas> = {};
  for (const brand of o.brands) {
    const bca = await subordinate(root, brand, "bca");
    const gca = o.geopolitical ? await subordinate(bca, brand, "gca") : undefined;
    const parent = gca ?? bca;
    brands[brand] = {
      brand,
      bca,
      gca,
      cca: await subordinate(parent, brand, "cca"),
      mca: await subordinate(parent, brand, "mca"),
      pca: await subordinate(parent, brand, "pca"),
    };
  }

  const chainOf = (ca: CertificateAuthority): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let c: CertificateAuthority | undefined = ca; c && c !== root; c = issuerOf.get(c)) out.push(c.der);
    return out;
  };

  const bci = async (brand: string, lifetimeDays = 7): Promise<BciRecord> => {
    const cas = brands[brand];
    if (!cas) throw new CaError("badRequest", `no brand ${brand} in this hierarchy`);
    const inForce = [root, cas.bca, cas.gca, cas.cca, cas.mca, cas.pca].filter(
      (c): c is CertificateAuthority => c !== undefined,
    );
    return publishBrandCRLIdentifier({
      brandCa: cas.bca,
      cas: inForce,
      store: o.store,
      provider: o.provider,
      lifetimeDays,
    });
  };

  return { root, nextRootKeys, brands, chainOf, bci };
}
