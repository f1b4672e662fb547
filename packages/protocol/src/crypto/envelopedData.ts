/**
 * The CMS EnvelopedData under every SET envelope (E, EH, EX, EXH and the compounds built on
 * them): one KeyTransRecipientInfo (issuerAndSerialNumber, RSA-OAEP SHA-256 under the recipient's
 * key-exchange key) and AES-256-CBC content with a fresh key and IV drawn from the provider. What
 * the RSA-OAEP block holds is the caller's choice: the bare key (E, readable by OpenSSL) or an
 * ExtraBlock (SET's extra encryption, under the project's key-transport OID).
 *
 * Opening fails with one error whatever went wrong (digest section 6 item 6 and 7 item 9): a
 * distinguishable RSA-OAEP, padding or integrity failure would be a decryption oracle. When the
 * RSA block does not decrypt, a random key is used and the AES step still runs, so the work done
 * does not tell the layers apart either.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { decodeDer } from "../asn1/codec";
import { compareBytes } from "../asn1/tlv";
import { SetError } from "../errors";
import { ContentInfo } from "../schema/common";
import { contentKeyLength } from "../schema/extraBlock";
import { Std } from "../schema/oids";
import {
  AES_BLOCK,
  aes256CbcIdentifier,
  aesCbcIv,
  algorithmIdentifier,
  isOaepSha256Params,
  oaepSha256Params,
  paramsOf,
} from "./algorithms";
import { own } from "./bytes";
import { certificateRef, issuerAndSerialNumber } from "./certificateRef";
import type { CryptoProvider } from "./provider";

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
  readonly rid: pkijs.IssuerAndSerialNumber;
  readonly publicKey: CryptoKey;
  /** Largest RSA-OAEP plaintext for this key. */
  readonly capacity: number;
}

/** The recipient's identifier and RSA-OAEP public key, from its key-exchange certificate. */
export async function recipientOf(p: CryptoProvider, certificate: Uint8Array): Promise<Recipient> {
  const ref = certificateRef(certificate);
  const publicKey = await p.crypto.subtle.importKey(
    "spki",
    own(ref.spki),
    { name: "RSA-OAEP", hash: "SHA-256" },
    false,
    ["encrypt"],
  );
  const bits = (publicKey.algorithm as RsaHashedKeyAlgorithm).modulusLength;
  return { rid: issuerAndSerialNumber(ref), publicKey, capacity: oaepCapacity(bits) };
}

export interface KeyTransport {
  /** keyEncryptionAlgorithm OID: rsaesOaep for a bare key, SetLab.rsaOaepExtraBlock for an ExtraBlock. */
  readonly algorithm: string;
  /** The RSA-OAEP plaintext carrying the content key. */
  readonly block: Uint8Array;
}

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
  const subtle = p.crypto.subtle;
  const aesKey = await subtle.importKey("raw", own(contentKey), "AES-CBC", false, ["encrypt"]);
  const [ciphertext, encryptedKey] = await Promise.all([
    subtle.encrypt({ name: "AES-CBC", iv: own(iv) }, aesKey, own(plaintext)),
    subtle.encrypt({ name: "RSA-OAEP" }, recipient.publicKey, own(block)),
  ]);
  const envelopedData = new pkijs.EnvelopedData({
    // version 0: only KeyTransRecipientInfo v0, no originatorInfo or attributes (RFC 5652 6.1)
    version: 0,
    recipientInfos: [
      new pkijs.RecipientInfo({
        variant: 1,
        value: new pkijs.KeyTransRecipientInfo({
          version: 0,
          rid: recipient.rid,
          keyEncryptionAlgorithm: algorithmIdentifier(algorithm, oaepSha256Params),
          encryptedKey: new asn1js.OctetString({ valueHex: encryptedKey }),
        }),
      }),
    ],
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      contentType,
      contentEncryptionAlgorithm: aes256CbcIdentifier(iv),
      encryptedContent: new asn1js.OctetString({ valueHex: ciphertext }),
      disableSplit: true,
    }),
  });
  const info = new pkijs.ContentInfo({ contentType: Std.envelopedData, content: envelopedData.toSchema() });
  return new Uint8Array(info.toSchema().toBER());
}

export interface Opened {
  readonly plaintext: Uint8Array;
  /** The RSA-OAEP plaintext, for the caller's own checks (ExtraBlock hash and extra). */
  readonly block: Uint8Array;
}

interface Located {
  readonly encryptedKey: Uint8Array;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Parse the EnvelopedData and find our RecipientInfo; every mismatch is the one decryption error. */
function locate(msg: Uint8Array, decrypter: Decrypter, contentType: string, algorithm: string): Located {
  try {
    const info = decodeDer(ContentInfo, msg, "EnvelopedMessage");
    if (info.contentType !== Std.envelopedData) throw decryptionFailed();
    const env = new pkijs.EnvelopedData({ schema: asn1js.fromBER(own(info.content).buffer).result });
    const eci = env.encryptedContentInfo;
    if (eci.contentType !== contentType || eci.contentEncryptionAlgorithm.algorithmId !== Std.aes256cbc)
      throw decryptionFailed();
    const ivParams = paramsOf(eci.contentEncryptionAlgorithm);
    const iv = ivParams && aesCbcIv(ivParams);
    if (!iv || !eci.encryptedContent) throw decryptionFailed();
    const ours = certificateRef(decrypter.certificate).issuerAndSerial;
    const ktri = env.recipientInfos
      .map((r) => r.value)
      .find(
        (v): v is pkijs.KeyTransRecipientInfo =>
          v instanceof pkijs.KeyTransRecipientInfo &&
          v.rid instanceof pkijs.IssuerAndSerialNumber &&
          compareBytes(new Uint8Array(v.rid.toSchema().toBER()), ours) === 0,
      );
    const kea = ktri?.keyEncryptionAlgorithm;
    const keaParams = kea && paramsOf(kea);
    if (!ktri || kea?.algorithmId !== algorithm || !keaParams || !isOaepSha256Params(keaParams))
      throw decryptionFailed();
    return {
      encryptedKey: new Uint8Array(ktri.encryptedKey.valueBlock.valueHexView),
      iv,
      ciphertext: new Uint8Array(eci.getEncryptedContent()),
    };
  } catch {
    throw decryptionFailed();
  }
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
  const { encryptedKey, iv, ciphertext } = locate(msg, decrypter, contentType, algorithm);
  const subtle = p.crypto.subtle;
  let ok = true;
  let block: Uint8Array = new Uint8Array(0);
  try {
    block = new Uint8Array(
      await subtle.decrypt({ name: "RSA-OAEP" }, decrypter.privateKey, own(encryptedKey)),
    );
  } catch {
    ok = false;
  }
  let contentKey = ok ? contentKeyOf(block) : undefined;
  if (!contentKey || contentKey.length !== contentKeyLength) {
    ok = false;
    contentKey = p.random(contentKeyLength);
  }
  let plaintext: Uint8Array = new Uint8Array(0);
  try {
    const aesKey = await subtle.importKey("raw", own(contentKey), "AES-CBC", false, ["decrypt"]);
    plaintext = new Uint8Array(
      await subtle.decrypt({ name: "AES-CBC", iv: own(iv) }, aesKey, own(ciphertext)),
    );
  } catch {
    ok = false;
  }
  if (!ok) throw decryptionFailed();
  return { plaintext, block };
}
