/**
 * The raw RSA-2048 operations every "CPU / raw" figure is compared with, made the way the
 * protocol makes them: through the suite's functions (`crypto/suite.ts`), on the provider a party
 * runs. On Node's own provider that is node:crypto's synchronous one-shot call on a KeyObject (what
 * the merchant and the gateway pay); on any other provider, that provider's WebCrypto (what the
 * card pays on @peculiar/webcrypto). An earlier bench timed `subtle.sign` and friends on both, which
 * for Node's provider added a hop to the thread pool and back that no party pays, so the "raw"
 * figure was larger than the crypto inside a purchase.
 */
import type { CryptoProvider } from "../crypto/provider";
import {
  oaepPublicKey,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  signRsaSha256,
  verifyRsaSha256,
} from "../crypto/suite";

export interface RawRsaOps {
  /** RSASSA-PKCS1-v1_5 SHA-256 signature of 32 bytes (a digest's size). */
  readonly sign: () => Promise<unknown>;
  /** RSA-OAEP SHA-256 decryption of a 150-byte block (a SET envelope's key block). */
  readonly decrypt: () => Promise<unknown>;
  readonly verify: () => Promise<unknown>;
  readonly encrypt: () => Promise<unknown>;
}

const rsa = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };

/** Fresh keys, and one closure per operation, each one call of the suite. */
export async function rawRsaOps(p: CryptoProvider): Promise<RawRsaOps> {
  const subtle = p.crypto.subtle;
  const signing = (await subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", ...rsa }, false, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const oaep = (await subtle.generateKey({ name: "RSA-OAEP", ...rsa }, false, [
    "encrypt",
    "decrypt",
  ])) as CryptoKeyPair;
  const signingSpki = new Uint8Array(await subtle.exportKey("spki", signing.publicKey));
  const oaepKey = await oaepPublicKey(p, new Uint8Array(await subtle.exportKey("spki", oaep.publicKey)));
  if (!oaepKey) throw new Error("the provider's RSA-OAEP public key does not read back");
  const message = new Uint8Array(p.random(32));
  const block = new Uint8Array(p.random(150));
  const signature = await signRsaSha256(p, signing.privateKey, message);
  const sealed = await rsaOaepEncrypt(p, oaepKey, block);
  if (!(await verifyRsaSha256(p, signingSpki, message, signature)))
    throw new Error("the provider's signature does not verify");
  return {
    sign: () => signRsaSha256(p, signing.privateKey, message),
    decrypt: () => rsaOaepDecrypt(p, oaep.privateKey, sealed),
    verify: () => verifyRsaSha256(p, signingSpki, message, signature),
    encrypt: () => rsaOaepEncrypt(p, oaepKey, block),
  };
}
