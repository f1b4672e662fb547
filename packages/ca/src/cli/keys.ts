/**
 * Private keys on disk: PKCS#8 encrypted under a passphrase (PBES2, AES-256-CBC), through
 * node:crypto. The CA is not the pure protocol package, so Node's key handling is fair game here.
 */
import * as nodeCrypto from "node:crypto";
import { CliFailure } from "./cliFailure";

export async function encryptPrivateKey(key: CryptoKey, passphrase: string): Promise<string> {
  const pkcs8 = Buffer.from(await globalThis.crypto.subtle.exportKey("pkcs8", key));
  return nodeCrypto
    .createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" })
    .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase })
    .toString();
}

/** Decrypt an ENCRYPTED PRIVATE KEY PEM and import it as an RSASSA-PKCS1-v1_5 SHA-256 signing key. */
export async function decryptSigningKey(pem: string, passphrase: string, file: string): Promise<CryptoKey> {
  let der: Buffer;
  try {
    der = nodeCrypto
      .createPrivateKey({ key: pem, format: "pem", passphrase })
      .export({ type: "pkcs8", format: "der" });
  } catch {
    throw new CliFailure(`cannot decrypt ${file}: wrong passphrase or not an encrypted PKCS#8 key`);
  }
  return globalThis.crypto.subtle.importKey(
    "pkcs8",
    new Uint8Array(der),
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    true,
    ["sign"],
  );
}
