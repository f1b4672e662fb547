/**
 * `DIR/manifest.json`: what `set-ca init` wrote, so other programs (the lab, the merchant and
 * gateway servers, tests) find every certificate, its key and its chain without guessing paths.
 * Paths are relative to DIR.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fsReason } from "./files";
import { CliFailure } from "./usageError";

export interface ManifestCertificate {
  /** Stable name, e.g. `root`, `visa/mca`, `visa/merchant/signature`, `visa/cards/visa-approve`. */
  readonly id: string;
  /** SET certificateType role (rca, bca, cca, mca, pca, mer, pgwy, card). */
  readonly role: string;
  /** Profile name from the CA's profile table. */
  readonly profile: string;
  /** Absent for the root. */
  readonly brand?: string;
  readonly subject: string;
  readonly serial: string;
  /** Hex SET thumb (SHA-256 of the TBSCertificate). */
  readonly thumb: string;
  /** Absent in manifests written before it was recorded. */
  readonly notBefore?: string;
  readonly notAfter: string;
  readonly certificate: string;
  /** Encrypted PKCS#8 PEM. */
  readonly key: string;
  /** Certificate files from this one up to and including the root. */
  readonly chain: readonly string[];
  /** The id of the issuing CA (the root names itself). */
  readonly issuer: string;
}

export interface ManifestCrl {
  readonly ca: string;
  readonly number: number;
  readonly thumb: string;
  readonly file: string;
}

export interface ManifestBci {
  readonly brand: string;
  readonly sequenceNum: number;
  readonly thumb: string;
  readonly file: string;
}

export interface Manifest {
  readonly format: "setlab-pki/1";
  readonly created: string;
  readonly brands: readonly string[];
  /** Key file of the successor root, whose SPKI the root's hashedRootKey commits to. */
  readonly nextRootKey: string;
  /** Test-card account data (PAN, expiry, PANSecret): lab secrets, kept out of the certificates. */
  readonly cards: string;
  /** Account data of the attack fixtures' cards (`attack/cards.json`), like `cards`. */
  readonly attackCards?: string;
  readonly certificates: ManifestCertificate[];
  readonly crls: ManifestCrl[];
  readonly bcis: ManifestBci[];
}

export const manifestFile = "manifest.json";
export const databaseFile = "ca.sqlite";

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, manifestFile);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new CliFailure(`${dir} is not a set-ca directory (cannot read ${manifestFile}: ${fsReason(e)})`);
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch {
    throw new CliFailure(`${file} is not valid JSON`);
  }
  if (m?.format !== "setlab-pki/1" || !Array.isArray(m.certificates))
    throw new CliFailure(`${file} is not a setlab-pki/1 manifest`);
  return m;
}

export function writeManifest(dir: string, m: Manifest): void {
  fs.writeFileSync(path.join(dir, manifestFile), `${JSON.stringify(m, null, 2)}\n`);
}
