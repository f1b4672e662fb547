/**
 * The CMS EnvelopedData under every SET envelope (E, EH, EX, EXH and the compounds built on
 * them): one KeyTransRecipientInfo (issuerAndSerialNumber, RSA-OAEP SHA-256 under the recipient's
 * key-exchange key) and AES-256-CBC content with a fresh key and IV drawn from the provider. What
 * the RSA-OAEP block holds is the caller's choice: the bare key (E, readable by OpenSSL) or an
 * ExtraBlock (SET's extra encryption, under the project's key-transport OID).
 *
 * Opening fails with one error whatever went wrong (digest section 6 item 6 and 7 item 9): a
 * distinguishable RSA-OAEP, padding or integrity failure would be a decryption oracle. When the
 * RSA block does not decrypt, a random key is used and the AES step still runs, and a bad padding
 * is read without throwing, so the work done does not tell the layers apart either
 * (`unsealImplicit` lets a caller carry that on through its own steps).
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { bytesEqual } from "../asn1/tlv";
import { SetError } from "../errors";
import { contentInfoOf, EnvelopedData } from "../schema/cms";
import { contentKeyLength } from "../schema/extraBlock";
import { Std } from "../schema/oids";
import { AES_BLOCK, aes256Cbc, aesCbcIv, isOaepSha256Params, oaepSha256Params } from "./algorithms";
import { certificateRef } from "./certificateRef";
import type { CryptoProvider } from "./provider";
import {
  aesCbc,
  aesCbcDecryptUnchecked,
  type OaepPublicKey,
  oaepPublicKey,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
} from "./suite";

export interface Decrypter {
  /** The recipient's key-exchange certificate, to find our RecipientInfo. */
  readonly certificate: Uint8Array;
  /** Its RSA-OAEP (SHA-256) private key. */
  readonly privateKey: CryptoKey;
}

/** The one error of every envelope opener. */
export const decryptionFailed = () => new SetError("decodingFailure", "decryption failed");

/** RSA-OAEP with SHA-256 and a 32-byte hash: k - 2*32 - 2 bytes fit in one block. */
export const oaepCapacity = (modulusBits: number) => Math.ceil(modulusBits / 8) - 2 * 32 - 2;

export interface Recipient {
  /** DER of the recipient's IssuerAndSerialNumber, as the KeyTransRecipientInfo names it. */
  readonly rid: Uint8Array;
  readonly publicKey: OaepPublicKey;
  /** Largest RSA-OAEP plaintext for this key. */
  readonly capacity: number;
}

/** The recipient's identifier and RSA-OAEP public key, from its key-exchange certificate. */
export async function recipientOf(p: CryptoProvider, certificate: Uint8Array): Promise<Recipient> {
  const ref = certificateRef(certificate);
  const publicKey = await oaepPublicKey(p, ref.spki);
  if (!publicKey)
    throw new SetError("invalidCertificate", "the recipient's certificate holds no RSA key", "certificate");
  return { rid: ref.issuerAndSerial, publicKey, capacity: oaepCapacity(publicKey.modulusBits) };
}

export interface KeyTransport {
  /** keyEncryptionAlgorithm OID: rsaesOaep for a bare key, SetLab.rsaOaepExtraBlock for an ExtraBlock. */
  readonly algorithm: string;
  /** The RSA-OAEP plaintext carrying the content key. */
  readonly block: Uint8Array;
}

const EnvelopedMessage = contentInfoOf(EnvelopedData);

/**
 * Envelope `plaintext` for `recipient`, typed `contentType`. `transport` turns the fresh content
 * key into the RSA-OAEP plaintext.
 */
export async function seal(
  p: CryptoProvider,
  recipient: Recipient,
  contentType: string,
  plaintext: Uint8Array,
  transport: (contentKey: Uint8Array) => KeyTransport,
): Promise<Uint8Array> {
  const contentKey = p.random(contentKeyLength);
  const iv = p.random(AES_BLOCK);
  const { algorithm, block } = transport(contentKey);
  if (block.length > recipient.capacity)
    throw new SetError(
      "unspecifiedFailure",
      `the key-transport block is ${block.length} bytes, more than the ${recipient.capacity} bytes RSA-OAEP can carry with this key`,
    );
  const [encryptedContent, encryptedKey] = await Promise.all([
    aesCbc(p, "encrypt", contentKey, iv, plaintext),
    rsaOaepEncrypt(p, recipient.publicKey, block),
  ]);
  return encodeDer(EnvelopedMessage, {
    contentType: Std.envelopedData,
    content: {
      // version 0: only KeyTransRecipientInfo v0, no originatorInfo or attributes (RFC 5652 6.1)
      version: 0,
      recipientInfos: [
        {
          version: 0,
          rid: recipient.rid,
          keyEncryptionAlgorithm: { algorithm, parameters: oaepSha256Params },
          encryptedKey,
        },
      ],
      encryptedContentInfo: { contentType, contentEncryptionAlgorithm: aes256Cbc(iv), encryptedContent },
    },
  });
}

export interface Opened {
  readonly plaintext: Uint8Array;
  /** The RSA-OAEP plaintext, for the caller's own checks (ExtraBlock hash and extra). */
  readonly block: Uint8Array;
}

/**
 * What an opener that rejects implicitly yields: every layer ran, and `ok` says whether every one
 * passed. When it is false, `plaintext` is a stand-in (what a random key decrypted, or zeros) that
 * the caller runs its own remaining steps on before it refuses with `decryptionFailed()`.
 */
export interface Tentative extends Opened {
  readonly ok: boolean;
}

interface Located {
  readonly encryptedKey: Uint8Array;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Read an EnvelopedMessage; anything unreadable is the one decryption error. */
function readEnvelopedData(msg: Uint8Array): EnvelopedData {
  try {
    const info = decodeDer(EnvelopedMessage, msg, "EnvelopedMessage");
    if (info.contentType !== Std.envelopedData) throw decryptionFailed();
    return info.content;
  } catch {
    throw decryptionFailed();
  }
}

/**
 * DER of the IssuerAndSerialNumber of every recipient an EnvelopedMessage names: how a party with
 * several key-exchange keys (a gateway serving several brands) picks the one to open it with.
 */
export function recipientIds(msg: Uint8Array): Uint8Array[] {
  return readEnvelopedData(msg).recipientInfos.map((r) => r.rid);
}

/** DER of a certificate's IssuerAndSerialNumber, the name envelopes and signatures give it. */
export const issuerAndSerialNumberOf = (certificate: Uint8Array): Uint8Array =>
  certificateRef(certificate).issuerAndSerial;

/** Parse the EnvelopedData and find our RecipientInfo; every mismatch is the one decryption error. */
function locate(msg: Uint8Array, decrypter: Decrypter, contentType: string, algorithm: string): Located {
  const env = readEnvelopedData(msg);
  const eci = env.encryptedContentInfo;
  const cea = eci.contentEncryptionAlgorithm;
  const iv = cea.parameters && aesCbcIv(cea.parameters);
  if (eci.contentType !== contentType || cea.algorithm !== Std.aes256cbc || !iv || !eci.encryptedContent)
    throw decryptionFailed();
  let ours: Uint8Array;
  try {
    ours = certificateRef(decrypter.certificate).issuerAndSerial;
  } catch {
    throw decryptionFailed();
  }
  const ktri = env.recipientInfos.find((r) => bytesEqual(r.rid, ours));
  const kea = ktri?.keyEncryptionAlgorithm;
  if (!ktri || kea?.algorithm !== algorithm || !kea.parameters || !isOaepSha256Params(kea.parameters))
    throw decryptionFailed();
  return { encryptedKey: ktri.encryptedKey, iv, ciphertext: eci.encryptedContent };
}

/**
 * Open an envelope made by `seal`. `contentKeyOf` reads the content key from the RSA-OAEP
 * plaintext and returns undefined when the block is not what the algorithm promises.
 */
export async function unseal(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: Uint8Array,
  contentType: string,
  algorithm: string,
  contentKeyOf: (block: Uint8Array) => Uint8Array | undefined,
): Promise<Opened> {
  const { plaintext, block, ok } = await unsealImplicit(
    p,
    decrypter,
    msg,
    contentType,
    algorithm,
    contentKeyOf,
  );
  if (!ok) throw decryptionFailed();
  return { plaintext, block };
}

/**
 * `unseal` without the refusal: an RSA block that does not decrypt, or does not hold a key, is
 * replaced by a random key, and a bad CBC padding leaves the whole decryption as the plaintext, so
 * the RSA, AES and padding steps run whatever failed (implicit rejection, as TLS does for RSA key
 * transport). A structure, content type or recipient that does not fit still throws: those are in
 * the clear, and refusing them early tells an attacker nothing the bytes do not.
 */
export async function unsealImplicit(
  p: CryptoProvider,
  decrypter: Decrypter,
  msg: Uint8Array,
  contentType: string,
  algorithm: string,
  contentKeyOf: (block: Uint8Array) => Uint8Array | undefined,
): Promise<Tentative> {
  const { encryptedKey, iv, ciphertext } = locate(msg, decrypter, contentType, algorithm);
  let ok = true;
  let block: Uint8Array = new Uint8Array(0);
  try {
    block = await rsaOaepDecrypt(p, decrypter.privateKey, encryptedKey);
  } catch {
    ok = false;
  }
  let contentKey = ok ? contentKeyOf(block) : undefined;
  if (!contentKey || contentKey.length !== contentKeyLength) {
    ok = false;
    contentKey = p.random(contentKeyLength);
  }
  const decrypted = await aesCbcDecryptUnchecked(p, contentKey, iv, ciphertext);
  return { plaintext: decrypted.plaintext, block, ok: ok && decrypted.ok };
}
