/** PEM armour (RFC 7468) for the objects the CA writes and reads. */
import { CliFailure } from "./cliFailure";

export const PemLabel = {
  certificate: "CERTIFICATE",
  crl: "X509 CRL",
  // DECISION: SET defines no PEM label for the BrandCRLIdentifier; the lab uses this one.
  bci: "SET BRAND CRL IDENTIFIER",
  encryptedKey: "ENCRYPTED PRIVATE KEY",
} as const;

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

/** Every PEM block in `text`, in order. */
export function fromPem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2].replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new CliFailure(`PEM block "${m[1]}" is not base64`);
    blocks.push({ label: m[1], der: new Uint8Array(Buffer.from(body, "base64")) });
  }
  return blocks;
}

/** A file's single object: the first PEM block, or the bytes themselves when they are not PEM. */
export function readObject(bytes: Uint8Array): { label?: string; der: Uint8Array } {
  const head = Buffer.from(bytes.subarray(0, 64)).toString("latin1");
  if (!head.includes("-----BEGIN ")) return { der: bytes };
  const blocks = fromPem(Buffer.from(bytes).toString("latin1"));
  if (blocks.length === 0) throw new CliFailure("PEM armour without a complete block");
  return blocks[0];
}
