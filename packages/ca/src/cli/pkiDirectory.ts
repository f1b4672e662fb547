/**
 * A lab PKI on disk (the layout `set-ca init` writes, see the README): the manifest, PEM files,
 * encrypted keys and the SQLite store, reopened as live CertificateAuthority objects for the
 * `issue`, `revoke`, `crl`, `bci` and `serve` commands.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type CryptoProvider, nodeProvider, parseSetCertificate } from "@setlab/protocol";
import {
  fsReason,
  type LabPkiEntry,
  type LabPkiManifest,
  readLabPkiManifest,
  writeLabPkiManifest,
} from "@setlab/runtime";
import { publishBrandCRLIdentifier } from "../brandCrlIdentifier";
import { CertificateAuthority } from "../certificateAuthority";
import type { ProfileName } from "../profiles";
import { type CrlRecord, SqliteCaStore } from "../store";
import { CliFailure } from "./cliFailure";
import { decryptSigningKey } from "./keys";
import { PemLabel, readObject, toPem } from "./pem";

/** The CA's SQLite store inside DIR (issued certificates, CRLs, BCIs: public data only). */
export const databaseFile = "ca.sqlite";

const caProfiles: readonly string[] = ["rca", "bca", "gca", "cca", "mca", "pca"];

/** Directory name of a brand: `Visa` -> `visa`, `MasterCard` -> `mastercard`. */
export const brandDir = (brand: string) => brand.toLowerCase().replace(/[^a-z0-9]+/g, "-");

export class PkiDirectory {
  private constructor(
    readonly dir: string,
    readonly manifest: LabPkiManifest,
    readonly store: SqliteCaStore,
    readonly provider: CryptoProvider,
    private readonly cas: ReadonlyMap<string, CertificateAuthority>,
  ) {}

  /** Open DIR, decrypting every CA key with `passphrase`. */
  static async open(dir: string, passphrase: string, provider = nodeProvider()): Promise<PkiDirectory> {
    const manifest = readLabPkiManifest(dir);
    const dbPath = path.join(dir, databaseFile);
    if (!fs.existsSync(dbPath)) throw new CliFailure(`${dbPath} is missing`);
    const store = new SqliteCaStore(dbPath);
    try {
      const cas = new Map<string, CertificateAuthority>();
      for (const e of manifest.certificates.filter((c) => caProfiles.includes(c.profile))) {
        const keyPem = readText(dir, e.key);
        cas.set(
          e.id,
          await CertificateAuthority.open({
            certificate: readObject(new Uint8Array(Buffer.from(readText(dir, e.certificate)))).der,
            privateKey: await decryptSigningKey(keyPem, passphrase, e.key),
            profile: e.profile as ProfileName,
            store,
            provider,
          }),
        );
      }
      return new PkiDirectory(dir, manifest, store, provider, cas);
    } catch (e) {
      store.close();
      throw e;
    }
  }

  caIds(): string[] {
    return [...this.cas.keys()];
  }

  ca(id: string): CertificateAuthority {
    const ca = this.cas.get(id);
    if (!ca) throw new CliFailure(`no CA "${id}" (known: ${this.caIds().join(", ")})`);
    return ca;
  }

  entry(id: string): LabPkiEntry {
    const e = this.manifest.certificates.find((c) => c.id === id);
    if (!e) throw new CliFailure(`no certificate "${id}" in the manifest`);
    return e;
  }

  /** The CA that issued a certificate, found by the issuer thumb the store recorded. */
  caByThumb(thumb: string): { id: string; ca: CertificateAuthority } | undefined {
    for (const [id, ca] of this.cas) if (ca.id === thumb) return { id, ca };
    return undefined;
  }

  /** Sign a fresh CRL for CA `id`, write it under the CA's directory and list it in the manifest. */
  async newCrl(id: string): Promise<{ record: CrlRecord; file: string }> {
    const record = await this.ca(id).crl();
    return { record, file: this.saveCrl(id, record) };
  }

  saveCrl(id: string, record: CrlRecord): string {
    const file = `crl/${id.replace(/\//g, "-")}-${record.number}.crl.pem`;
    this.write(file, toPem(PemLabel.crl, record.der));
    this.manifest.crls.push({ ca: id, number: record.number, thumb: record.thumb, file });
    writeLabPkiManifest(this.dir, this.manifest);
    return file;
  }

  /**
   * Publish the next BrandCRLIdentifier of `brand` (the core records it in the store), naming the
   * current CRL of the root and of every CA of the brand; written beside the brand's files.
   */
  async newBci(brand: string, lifetimeDays = 7): Promise<{ der: Uint8Array; file: string; thumb: string }> {
    if (!this.manifest.brands.includes(brand))
      throw new CliFailure(`no brand "${brand}" (known: ${this.manifest.brands.join(", ")})`);
    const b = brandDir(brand);
    const ids = ["root", ...["bca", "gca", "cca", "mca", "pca"].map((r) => `${b}/${r}`)].filter((id) =>
      this.cas.has(id),
    );
    for (const id of ids) if (!(await this.store.latestCrl(this.ca(id).id))) await this.newCrl(id);
    const record = await publishBrandCRLIdentifier({
      brandCa: this.ca(`${b}/bca`),
      cas: ids.map((id) => this.ca(id)),
      store: this.store,
      provider: this.provider,
      lifetimeDays,
    });
    const file = `${b}/bci-${record.sequenceNum}.pem`;
    this.write(file, toPem(PemLabel.bci, record.der));
    this.manifest.bcis.push({ brand, sequenceNum: record.sequenceNum, thumb: record.thumb, file });
    writeLabPkiManifest(this.dir, this.manifest);
    return { der: record.der, file, thumb: record.thumb };
  }

  write(file: string, text: string): void {
    const full = path.join(this.dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }

  close(): void {
    this.store.close();
  }
}

/** The certificate's SET thumb as hex. */
export async function certificateThumb(der: Uint8Array): Promise<string> {
  return Buffer.from(await parseSetCertificate(der).thumb()).toString("hex");
}

function readText(dir: string, file: string): string {
  try {
    return fs.readFileSync(path.join(dir, file), "utf8");
  } catch (e) {
    throw new CliFailure(`cannot read ${path.join(dir, file)}: ${fsReason(e)}`);
  }
}
