/**
 * `DIR/manifest.json`, the contract between `set-ca init` (which writes it) and every program that
 * starts from a lab PKI directory (gateway, merchant, phone, lab, tests): where each certificate,
 * its encrypted key, its chain, the CRLs, the BrandCRLIdentifiers and the test cards are. Paths
 * are relative to DIR.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LabPkiError } from "./labPkiError";

export const labPkiFormat = "setlab-pki/1";
export const manifestFile = "manifest.json";

export interface LabPkiEntry {
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

export interface LabPkiCrl {
  /** Manifest id of the CA that signed it. */
  readonly ca: string;
  readonly number: number;
  readonly thumb: string;
  readonly file: string;
}

export interface LabPkiBci {
  readonly brand: string;
  readonly sequenceNum: number;
  readonly thumb: string;
  readonly file: string;
}

export interface LabPkiManifest {
  readonly format: typeof labPkiFormat;
  readonly created: string;
  readonly brands: readonly string[];
  /** Key file of the successor root, whose SPKI the root's hashedRootKey commits to. */
  readonly nextRootKey: string;
  /** Test-card account data (PAN, expiry, PANSecret): lab secrets, kept out of the certificates. */
  readonly cards: string;
  /** Account data of the attack fixtures' cards (`attack/cards.json`), like `cards`. */
  readonly attackCards?: string;
  readonly certificates: LabPkiEntry[];
  readonly crls: LabPkiCrl[];
  readonly bcis: LabPkiBci[];
}

const reasons: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a parent is not a directory",
  EEXIST: "already exists",
};

/** Node's file error as a few words (its own message runs over lines and repeats the path). */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && reasons[code]) ?? (e as Error).message.split("\n")[0];
}

/** The manifest of DIR; a missing, unreadable or foreign file is a one-line LabPkiError. */
export function readLabPkiManifest(dir: string): LabPkiManifest {
  const file = path.join(dir, manifestFile);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new LabPkiError(`${dir} is not a lab PKI directory (cannot read ${manifestFile}: ${fsReason(e)})`);
  }
  let m: Partial<LabPkiManifest>;
  try {
    m = JSON.parse(text) as Partial<LabPkiManifest>;
  } catch {
    throw new LabPkiError(`${file} is not valid JSON`);
  }
  if (
    m?.format !== labPkiFormat ||
    !Array.isArray(m.certificates) ||
    !Array.isArray(m.brands) ||
    !Array.isArray(m.crls) ||
    !Array.isArray(m.bcis) ||
    typeof m.cards !== "string"
  )
    throw new LabPkiError(`${file} is not a ${labPkiFormat} manifest`);
  return m as LabPkiManifest;
}

/**
 * Write DIR's manifest (public data only: file names, subjects, serials, thumbs). Written beside
 * and renamed over the old one: running parties re-read it (`labRevocation.ts`) and must never see
 * half of it.
 */
export function writeLabPkiManifest(dir: string, m: LabPkiManifest): void {
  const file = path.join(dir, manifestFile);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(m, null, 2)}\n`);
  fs.renameSync(temporary, file);
}
