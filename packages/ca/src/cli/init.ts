/**
 * `set-ca init --out DIR [--passphrase P]`: the complete lab PKI. Root; per brand (Visa,
 * MasterCard) the Brand, Cardholder, Merchant and Payment Gateway CAs; the lab merchant and a
 * gateway per brand, each with a signature and a key-exchange certificate; a cardholder
 * certificate for every test card; the attack fixtures (attackFixtures.ts); a first CRL per CA and
 * a BCI per brand. Layout in the README.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type CryptoProvider, nodeProvider, parseSetCertificate, type schema, toHex } from "@setlab/protocol";
import {
  type CliIo,
  fsReason,
  type LabPkiEntry,
  type LabPkiManifest,
  manifestFile,
  writeLabPkiManifest,
} from "@setlab/runtime";
import type { CertificateAuthority } from "../certificateAuthority";
import { createHierarchy, hierarchyKeySlots } from "../hierarchy";
import type { ProfileName } from "../profiles";
import { SqliteCaStore } from "../store";
import { type TestCard, testCards } from "../testCards";
import { parse, required } from "./args";
import {
  attackCardsFile,
  attackEndEntities,
  attackKeyCount,
  fixtureValidity,
  foreignCaId,
  foreignRootId,
} from "./attackFixtures";
import { CliFailure } from "./cliFailure";
import { encryptPrivateKey } from "./keys";
import { passphraseOf } from "./passphrase";
import { PemLabel, toPem } from "./pem";
import { brandDir, certificateThumb, databaseFile, PkiDirectory } from "./pkiDirectory";

export const initUsage = "set-ca init --out DIR [--passphrase P]   (lab default passphrase: setlab)";

export const labBrands = ["Visa", "MasterCard"] as const;

/** The lab's one merchant, certified under each brand with that brand's acquirer BIN. */
export function labMerchantData(brand: string): schema.MerchantData {
  return {
    merID: "SETLAB-MER-0001",
    merAcquirerBIN: brand === "Visa" ? "411111" : "555555",
    merNameSeq: [{ language: "en", name: "SET Lab Shop", city: "Kawasaki", countryName: "Japan" }],
    merCountry: 392,
    merAuthFlag: true,
  };
}

export async function init(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse(
    "init",
    args,
    { out: { type: "string" }, passphrase: { type: "string" } },
    { min: 0, max: 0 },
  );
  const dir = required(parsed, "init", "out");
  const passphrase = passphraseOf(parsed);
  const started = Date.now();
  const manifest = await createLabPki(dir, passphrase);
  io.out(
    `set-ca: wrote ${manifest.certificates.length} certificates, ${manifest.crls.length} CRLs and ` +
      `${manifest.bcis.length} BCIs to ${dir} in ${Date.now() - started} ms\n`,
  );
  return 0;
}

type CardRecord = { brand: string; pan: string; expiry: string; panSecret: string; outcome: string };
type Issuer = { id: string; ca: CertificateAuthority };

export async function createLabPki(dir: string, passphrase: string): Promise<LabPkiManifest> {
  prepareEmptyDir(dir);
  const provider = nodeProvider();
  const { subtle } = provider.crypto;
  const store = new SqliteCaStore(path.join(dir, databaseFile));
  const written: LabPkiEntry[] = [];
  const writeFile = (file: string, text: string) => {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text, {
      mode: file.endsWith(".key.pem") || file.endsWith(".json") ? 0o600 : 0o644,
    });
  };
  try {
    const keys: Record<string, CryptoKeyPair> = {};
    const foreignKeys: Record<string, CryptoKeyPair> = {};
    const slots = hierarchyKeySlots(labBrands);
    // Key generation dominates init; start every end entity's too, so the thread pool runs them in parallel.
    const pool = {
      signature: [] as Promise<CryptoKeyPair>[],
      keyEncipherment: [] as Promise<CryptoKeyPair>[],
    };
    // Per brand: merchant and gateway signature keys plus its cards; merchant and gateway
    // key-exchange keys; then the attack fixtures'.
    const needed = {
      signature:
        2 * labBrands.length +
        testCards.filter((c) => labBrands.includes(c.brand)).length +
        attackKeyCount("signature"),
      keyEncipherment: 2 * labBrands.length + attackKeyCount("keyEncipherment"),
    };
    for (const use of ["signature", "keyEncipherment"] as const)
      for (let i = 0; i < needed[use]; i++) pool[use].push(generate(provider, use));
    const endEntityKeys = (use: "signature" | "keyEncipherment") => {
      const next = pool[use].shift();
      if (!next) throw new Error(`init: the ${use} key pool ran dry`);
      return next;
    };
    await Promise.all([
      ...slots.map(async (s) => (keys[s] = await generate(provider, "signature"))),
      ...hierarchyKeySlots(["Visa"]).map(
        async (s) => (foreignKeys[s] = await generate(provider, "signature")),
      ),
    ]);
    const h = await createHierarchy({ brands: labBrands, store, provider, keys });

    const chainOf = new Map<CertificateAuthority, string[]>();
    const caById = new Map<string, CertificateAuthority>();
    const record = async (
      id: string,
      der: Uint8Array,
      profile: ProfileName,
      privateKey: CryptoKey,
      issuer: Issuer | null,
    ): Promise<void> => {
      const file = `${id}.pem`;
      const key = `${id}.key.pem`;
      writeFile(file, toPem(PemLabel.certificate, der));
      writeFile(key, await encryptPrivateKey(privateKey, passphrase));
      const cert = parseSetCertificate(der);
      const chain = [file, ...(issuer ? (chainOf.get(issuer.ca) ?? []) : [])];
      written.push({
        id,
        role: cert.certificateType?.join(",") ?? "",
        profile,
        brand: cert.brand,
        subject: cert.subject,
        serial: cert.serialNumber,
        thumb: await certificateThumb(der),
        notBefore: cert.notBefore.toISOString(),
        notAfter: cert.notAfter.toISOString(),
        certificate: file,
        key,
        chain,
        issuer: issuer?.id ?? id,
      });
    };
    const addCa = async (id: string, ca: CertificateAuthority, issuer: Issuer | null) => {
      await record(id, ca.der, ca.profile.name, ca.privateKey, issuer);
      chainOf.set(ca, written[written.length - 1].chain as string[]);
      caById.set(id, ca);
    };
    const issuerOf = (id: string): Issuer => {
      const ca = caById.get(id);
      if (!ca) throw new Error(`init: no CA ${id} yet`);
      return { id, ca };
    };

    const endEntity = async (
      id: string,
      issuer: Issuer,
      profile: ProfileName,
      commonName: string,
      extra: {
        merchantData?: schema.MerchantData;
        card?: TestCard;
        cards?: Record<string, CardRecord>;
        fixtureValidity?: { notBefore: Date; notAfter: Date };
      },
    ) => {
      const kex = profile.endsWith("KeyExchange");
      const pair = await endEntityKeys(kex ? "keyEncipherment" : "signature");
      let cardholder: { pan: string; cardExpiry: string; panSecret: Uint8Array } | undefined;
      if (extra.card) {
        const panSecret = provider.random(20);
        cardholder = { pan: extra.card.pan, cardExpiry: extra.card.expiry, panSecret };
        if (extra.cards)
          extra.cards[extra.card.id] = {
            brand: extra.card.brand,
            pan: extra.card.pan,
            expiry: extra.card.expiry,
            panSecret: toHex(panSecret),
            outcome: extra.card.outcome,
          };
      }
      const issued = await issuer.ca.issue({
        profile,
        commonName,
        publicKey: new Uint8Array(await subtle.exportKey("spki", pair.publicKey)),
        merchantData: extra.merchantData,
        cardholder,
        fixtureValidity: extra.fixtureValidity,
      });
      await record(id, issued.der, profile, pair.privateKey, issuer);
      return issued;
    };

    await addCa("root", h.root, null);
    writeFile("next-root.key.pem", await encryptPrivateKey(h.nextRootKeys.privateKey, passphrase));
    const cards: Record<string, CardRecord> = {};
    for (const brand of labBrands) {
      const b = brandDir(brand);
      const cas = h.brands[brand];
      await addCa(`${b}/bca`, cas.bca, issuerOf("root"));
      for (const r of ["cca", "mca", "pca"] as const) await addCa(`${b}/${r}`, cas[r], issuerOf(`${b}/bca`));
      const md = labMerchantData(brand);
      const mca = issuerOf(`${b}/mca`);
      const pca = issuerOf(`${b}/pca`);
      await endEntity(`${b}/merchant/signature`, mca, "merchantSignature", "SET Lab Shop", {
        merchantData: md,
      });
      await endEntity(`${b}/merchant/key-exchange`, mca, "merchantKeyExchange", "SET Lab Shop", {
        merchantData: md,
      });
      await endEntity(`${b}/gateway/signature`, pca, "gatewaySignature", `${brand} Lab Gateway`, {});
      await endEntity(`${b}/gateway/key-exchange`, pca, "gatewayKeyExchange", `${brand} Lab Gateway`, {});
      for (const card of testCards.filter((c) => c.brand === brand))
        await endEntity(`${b}/cards/${card.id}`, issuerOf(`${b}/cca`), "cardholderSignature", card.id, {
          card,
          cards,
        });
    }
    writeFile("cards.json", `${JSON.stringify(cards, null, 2)}\n`);

    // Attack fixtures: a foreign hierarchy nobody pins, then the end entities of the table.
    const foreign = await createHierarchy({
      brands: ["Visa"],
      store,
      provider,
      keys: foreignKeys,
      rootCommonName: "SET Lab Foreign Root CA",
      caNameQualifier: "Foreign",
    });
    await addCa(foreignRootId, foreign.root, null);
    await addCa(foreignCaId("bca"), foreign.brands.Visa.bca, issuerOf(foreignRootId));
    for (const r of ["cca", "mca", "pca"] as const)
      await addCa(foreignCaId(r), foreign.brands.Visa[r], issuerOf(foreignCaId("bca")));
    const attackCards: Record<string, CardRecord> = {};
    const now = provider.now();
    for (const f of attackEndEntities) {
      const issuer = issuerOf(f.issuer);
      const issued = await endEntity(f.id, issuer, f.profile, f.commonName, {
        merchantData: f.merchantData,
        card: f.card,
        cards: attackCards,
        fixtureValidity: f.validity ? fixtureValidity(f.validity, now) : undefined,
      });
      // Revoked before the first CRLs are signed below, so the CRL the brand's BCI names lists it.
      if (f.revoked) await issuer.ca.revoke(issued.serial, "keyCompromise");
    }
    writeFile(attackCardsFile, `${JSON.stringify(attackCards, null, 2)}\n`);

    const manifest: LabPkiManifest = {
      format: "setlab-pki/1",
      created: new Date().toISOString(),
      brands: [...labBrands],
      nextRootKey: "next-root.key.pem",
      cards: "cards.json",
      attackCards: attackCardsFile,
      certificates: written,
      crls: [],
      bcis: [],
    };
    writeLabPkiManifest(dir, manifest);
    store.close();
    // First CRLs and BCIs go through the same code as the `crl` and `bci` commands.
    const pki = await PkiDirectory.open(dir, passphrase, provider);
    try {
      for (const id of pki.caIds()) await pki.newCrl(id);
      for (const brand of labBrands) await pki.newBci(brand);
      return pki.manifest;
    } finally {
      pki.close();
    }
  } catch (e) {
    store.close();
    throw e;
  }
}

async function generate(p: CryptoProvider, use: "signature" | "keyEncipherment"): Promise<CryptoKeyPair> {
  const common = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  return use === "signature"
    ? p.crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", ...common }, true, ["sign", "verify"])
    : p.crypto.subtle.generateKey({ name: "RSA-OAEP", ...common }, true, ["encrypt", "decrypt"]);
}

/** init never overwrites: DIR must not exist or be empty. */
function prepareEmptyDir(dir: string): void {
  try {
    if (fs.existsSync(dir)) {
      if (!fs.statSync(dir).isDirectory()) throw new CliFailure(`${dir} exists and is not a directory`);
      if (fs.readdirSync(dir).length > 0)
        throw new CliFailure(
          `${dir} is not empty (${fs.existsSync(path.join(dir, manifestFile)) ? "a PKI is already there" : "refusing to mix files"})`,
        );
    } else fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    if (e instanceof CliFailure) throw e;
    throw new CliFailure(`cannot create ${dir}: ${fsReason(e)}`);
  }
}
