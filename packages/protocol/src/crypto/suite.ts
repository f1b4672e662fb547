/**
 * The suite's primitive operations (DESIGN.md section 4): RSASSA-PKCS1-v1_5 with SHA-256,
 * RSAES-OAEP with SHA-256 and MGF1-SHA-256, AES-256-CBC. With Node's own WebCrypto as the
 * provider they run on node:crypto directly (synchronous, keys converted or imported once);
 * with any other provider (@peculiar/webcrypto on the card) through that provider's WebCrypto.
 * Both accept the same inputs and give interchangeable results; crossProvider.test.ts holds them
 * to it.
 *
 * Why not WebCrypto throughout: each call re-validates and copies its key and data and hops to
 * the thread pool and back; for the small inputs of SET messages that overhead is the size of the
 * RSA verify itself (docs/decisions.md, "CMS on the byte reader and node:crypto").
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  KeyObject,
  privateDecrypt,
  publicEncrypt,
  sign,
  verify,
} from "node:crypto";
import { SetError } from "../errors";
import { own } from "./bytes";
import { nodeKeyObject, nodePublicKey, nodeVerifyKey, webCryptoPublicKey } from "./keyCache";
import { isNodeProvider } from "./native";
import { removePkcs7Padding, type Unpadded } from "./pkcs7Padding";
import type { CryptoProvider } from "./provider";

const onNode = isNodeProvider;

const rsaPkcs1: RsaHashedImportParams = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const rsaOaep: RsaHashedImportParams = { name: "RSA-OAEP", hash: "SHA-256" };
const oaepSha256 = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" } as const;

/** Refuse a key the suite does not use for `usage`: the two paths would disagree about it. */
function checkKey(key: CryptoKey, algorithm: string, usage: KeyUsage): void {
  const hash = (key.algorithm as RsaHashedKeyAlgorithm).hash?.name;
  if (key.algorithm.name !== algorithm || hash !== "SHA-256" || !key.usages.includes(usage))
    throw new SetError(
      "unspecifiedFailure",
      `the key is ${key.algorithm.name}${hash ? `/${hash}` : ""} for ${key.usages.join(", ")}, not ${algorithm}/SHA-256 for ${usage}`,
    );
}

/** RSASSA-PKCS1-v1_5 SHA-256 signature over `data`. */
export async function signRsaSha256(
  p: CryptoProvider,
  privateKey: CryptoKey,
  data: Uint8Array,
): Promise<Uint8Array> {
  checkKey(privateKey, rsaPkcs1.name, "sign");
  const native = onNode(p) ? nodeKeyObject(privateKey) : undefined;
  if (native) return new Uint8Array(sign("sha256", data, native));
  return new Uint8Array(await p.crypto.subtle.sign(rsaPkcs1.name, privateKey, own(data)));
}

/**
 * Whether `signature` is an RSASSA-PKCS1-v1_5 SHA-256 signature over `data` by the key in `spki`.
 * A key that is not RSA, or not a key at all, verifies nothing.
 */
export async function verifyRsaSha256(
  p: CryptoProvider,
  spki: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    if (onNode(p)) {
      const key = nodeVerifyKey(spki);
      const rsa = !(key instanceof KeyObject) || key.asymmetricKeyType === "rsa";
      return rsa && verify("sha256", data, key, signature);
    }
    const key = await webCryptoPublicKey(p, spki, rsaPkcs1, "verify");
    return await p.crypto.subtle.verify(rsaPkcs1.name, key, own(signature), own(data));
  } catch {
    return false;
  }
}

/** An RSA-OAEP (SHA-256) public key, from a key-exchange certificate's SPKI. */
export interface OaepPublicKey {
  readonly spki: Uint8Array;
  readonly modulusBits: number;
}

/** Read an RSA-OAEP public key; undefined when the SPKI holds no RSA key. */
export async function oaepPublicKey(p: CryptoProvider, spki: Uint8Array): Promise<OaepPublicKey | undefined> {
  try {
    if (onNode(p)) {
      const key = nodePublicKey(spki);
      const bits = key.asymmetricKeyDetails?.modulusLength;
      return key.asymmetricKeyType === "rsa" && bits ? { spki, modulusBits: bits } : undefined;
    }
    const key = await webCryptoPublicKey(p, spki, rsaOaep, "encrypt");
    return { spki, modulusBits: (key.algorithm as RsaHashedKeyAlgorithm).modulusLength };
  } catch {
    return undefined;
  }
}

export async function rsaOaepEncrypt(
  p: CryptoProvider,
  key: OaepPublicKey,
  block: Uint8Array,
): Promise<Uint8Array> {
  if (onNode(p)) return new Uint8Array(publicEncrypt({ key: nodePublicKey(key.spki), ...oaepSha256 }, block));
  const imported = await webCryptoPublicKey(p, key.spki, rsaOaep, "encrypt");
  return new Uint8Array(await p.crypto.subtle.encrypt({ name: "RSA-OAEP" }, imported, own(block)));
}

/** RSA-OAEP (SHA-256) decryption; throws on any failure, without saying which. */
export async function rsaOaepDecrypt(
  p: CryptoProvider,
  privateKey: CryptoKey,
  encryptedKey: Uint8Array,
): Promise<Uint8Array> {
  checkKey(privateKey, rsaOaep.name, "decrypt");
  const native = onNode(p) ? nodeKeyObject(privateKey) : undefined;
  if (native) return new Uint8Array(privateDecrypt({ key: native, ...oaepSha256 }, encryptedKey));
  return new Uint8Array(await p.crypto.subtle.decrypt({ name: "RSA-OAEP" }, privateKey, own(encryptedKey)));
}

const AES_256_KEY = 32;

function checkAesKey(key: Uint8Array): void {
  if (key.length !== AES_256_KEY)
    throw new SetError("unspecifiedFailure", `AES-256 needs a ${AES_256_KEY}-byte key, not ${key.length}`);
}

/**
 * AES-256-CBC with PKCS#7 padding, either way. Decryption throws on a bad padding, without saying
 * so: the callers turn every failure into the one decryption failure.
 */
export async function aesCbc(
  p: CryptoProvider,
  direction: "encrypt" | "decrypt",
  key: Uint8Array,
  iv: Uint8Array,
  input: Uint8Array,
): Promise<Uint8Array> {
  checkAesKey(key);
  if (onNode(p)) {
    const cipher =
      direction === "encrypt"
        ? createCipheriv("aes-256-cbc", key, iv)
        : createDecipheriv("aes-256-cbc", key, iv);
    return new Uint8Array(Buffer.concat([cipher.update(input), cipher.final()]));
  }
  const k = await p.crypto.subtle.importKey("raw", own(key), "AES-CBC", false, [direction]);
  return new Uint8Array(await p.crypto.subtle[direction]({ name: "AES-CBC", iv: own(iv) }, k, own(input)));
}

/**
 * AES-256-CBC decryption that reports a bad padding instead of throwing, for an opener that goes on
 * with the same steps whatever failed (implicit rejection). Under Node's provider the padding is
 * read without branching on it; another provider's WebCrypto throws on it, and a zero plaintext of
 * the ciphertext's length stands in.
 */
export async function aesCbcDecryptUnchecked(
  p: CryptoProvider,
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
): Promise<Unpadded> {
  checkAesKey(key);
  if (onNode(p)) {
    const decipher = createDecipheriv("aes-256-cbc", key, iv).setAutoPadding(false);
    let raw: Uint8Array;
    try {
      raw = new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
    } catch {
      // Not a whole number of blocks: visible in the ciphertext's length, so no secret to keep.
      return { plaintext: new Uint8Array(ciphertext.length), ok: false };
    }
    return removePkcs7Padding(raw);
  }
  try {
    return { plaintext: await aesCbc(p, "decrypt", key, iv, ciphertext), ok: true };
  } catch {
    return { plaintext: new Uint8Array(ciphertext.length), ok: false };
  }
}
