/**
 * A lab PKI directory as `set-ca init` writes it (manifest.json, PEM certificates, encrypted PKCS#8
 * keys, cards.json), read by the parties that start from it: gateway, merchant, phone. The
 * manifest (`labPkiManifest.ts`) is the contract, written by the CA and read here.
 */
import * as nodeCrypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CryptoProvider } from "@setlab/protocol";
import { LabPkiError } from "./labPkiError";
import { type LabPkiEntry, type LabPkiManifest, readLabPkiManifest } from "./labPkiManifest";
import { labPassphrase } from "./passphrase";

/** One test card's account data (lab secrets: never logged). */
export interface LabCardData {
  readonly brand: string;
  readonly pan: string;
  readonly expiry: string;
  /** Hex. */
  readonly panSecret: string;
  /** The issuer simulator's deterministic outcome for this card, when the PKI records it. */
  readonly outcome?: string;
}

export type KeyUse = "signature" | "keyEncipherment";

export class LabPki {
  private readonly certs = new Map<string, Uint8Array>();

  private constructor(
    readonly dir: string,
    readonly entries: readonly LabPkiEntry[],
    readonly brands: readonly string[],
    private readonly manifest: LabPkiManifest,
  ) {}

  static open(dir: string): LabPki {
    const m = readLabPkiManifest(dir);
    return new LabPki(dir, m.certificates, m.brands, m);
  }

  entry(id: string): LabPkiEntry {
    const e = this.entries.find((c) => c.id === id);
    if (!e) throw new LabPkiError(`no certificate "${id}" in ${this.dir}`);
    return e;
  }

  /** DER of a certificate file (relative path) or manifest id. */
  certificateFile(file: string): Uint8Array {
    let der = this.certs.get(file);
    if (!der) {
      der = pemToDer(this.readText(file));
      this.certs.set(file, der);
    }
    return der;
  }

  certificate(id: string): Uint8Array {
    return this.certificateFile(this.entry(id).certificate);
  }

  root(): Uint8Array {
    return this.certificate("root");
  }

  /** The CA certificates above `id`, issuer first, without the root. */
  chain(id: string): Uint8Array[] {
    const files = this.entry(id).chain.slice(1);
    return files.slice(0, Math.max(0, files.length - 1)).map((f) => this.certificateFile(f));
  }

  /** PKCS#8 DER of the entry's private key, decrypted with the passphrase (keep it in memory only). */
  privateKeyPkcs8(id: string, passphrase = labPassphrase): Uint8Array<ArrayBuffer> {
    const e = this.entry(id);
    try {
      const der = nodeCrypto
        .createPrivateKey({ key: this.readText(e.key), format: "pem", passphrase })
        .export({ type: "pkcs8", format: "der" });
      return new Uint8Array(der);
    } catch {
      throw new LabPkiError(`cannot decrypt ${e.key}: wrong passphrase or not an encrypted PKCS#8 key`);
    }
  }

  /** Import the entry's key into the provider's WebCrypto for its use (non-extractable). */
  async privateKey(
    id: string,
    use: KeyUse,
    p: CryptoProvider,
    passphrase = labPassphrase,
  ): Promise<CryptoKey> {
    const pkcs8 = this.privateKeyPkcs8(id, passphrase);
    try {
      return use === "signature"
        ? await p.crypto.subtle.importKey(
            "pkcs8",
            pkcs8,
            { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
            false,
            ["sign"],
          )
        : await p.crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSA-OAEP", hash: "SHA-256" }, false, [
            "decrypt",
          ]);
    } finally {
      pkcs8.fill(0);
    }
  }

  /** Certificate, signature key and CA chain of an entry: what signing as it takes. */
  async signer(
    id: string,
    p: CryptoProvider,
    passphrase = labPassphrase,
  ): Promise<{ certificate: Uint8Array; privateKey: CryptoKey; chain: Uint8Array[] }> {
    return {
      certificate: this.certificate(id),
      privateKey: await this.privateKey(id, "signature", p, passphrase),
      chain: this.chain(id),
    };
  }

  /** The CA certificates below the root (not the attack fixtures' foreign ones), for chain building. */
  intermediates(): Uint8Array[] {
    return this.entries
      .filter((e) => ["bca", "cca", "mca", "pca"].includes(e.role) && !e.id.startsWith("attack/"))
      .map((e) => this.certificate(e.id));
  }

  /** The test cards' account data, keyed by card id. */
  cards(): Record<string, LabCardData> {
    return this.cardFile(this.manifest.cards);
  }

  /**
   * The account data of the attack fixtures' cards (`visa-revoked`, whose certificate is
   * `attack/visa/cardholder-revoked/signature`), keyed by card id; empty when the PKI has none.
   */
  attackCards(): Record<string, LabCardData> {
    return this.manifest.attackCards ? this.cardFile(this.manifest.attackCards) : {};
  }

  private cardFile(file: string): Record<string, LabCardData> {
    try {
      return JSON.parse(this.readText(file)) as Record<string, LabCardData>;
    } catch (e) {
      if (e instanceof LabPkiError) throw e;
      throw new LabPkiError(`${file} is not valid JSON`);
    }
  }

  /** Every published CRL (DER). */
  crls(): Uint8Array[] {
    return this.manifest.crls.map((c) => pemToDer(this.readText(c.file)));
  }

  /** The current BrandCRLIdentifier of a brand (DER), if published. */
  bci(brand: string): Uint8Array | undefined {
    const all = this.manifest.bcis.filter((b) => b.brand === brand);
    const last = all[all.length - 1];
    return last ? pemToDer(this.readText(last.file)) : undefined;
  }

  private readText(file: string): string {
    try {
      return fs.readFileSync(path.join(this.dir, file), "utf8");
    } catch (e) {
      throw new LabPkiError(
        `cannot read ${path.join(this.dir, file)}: ${(e as NodeJS.ErrnoException).code ?? e}`,
      );
    }
  }
}

/** The first PEM block's DER, or the bytes themselves when the text is not PEM. */
export function pemToDer(text: string): Uint8Array {
  const m = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/.exec(text);
  if (!m) throw new LabPkiError("not a PEM file");
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
}
