/**
 * EK(k, t): t encrypted under a symmetric key k the recipient delivered earlier (SET's
 * BackKeyData), as CMS EncryptedData with AES-256-CBC. OpenSSL opens it with
 * `openssl cms -EncryptedData_decrypt -secretkey <hex>`.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { SetError } from "../errors";
import { contentInfoOf, EncryptedData } from "../schema/cms";
import { contentKeyLength } from "../schema/extraBlock";
import { Std } from "../schema/oids";
import { AES_BLOCK, aes256Cbc, aesCbcIv } from "./algorithms";
import { decryptionFailed } from "./envelopedData";
import type { CryptoProvider } from "./provider";
import { aesCbc } from "./suite";

const EncryptedMessage = contentInfoOf(EncryptedData);

function checkKey(key: Uint8Array): void {
  if (key.length !== contentKeyLength)
    throw new SetError("unspecifiedFailure", `EK needs a ${contentKeyLength}-byte AES-256 key`);
}

/** EK(k, t): EncryptedData typed `contentType`, fresh IV from the provider. */
export async function EK(
  p: CryptoProvider,
  key: Uint8Array,
  contentType: string,
  content: Uint8Array,
): Promise<Uint8Array> {
  checkKey(key);
  const iv = p.random(AES_BLOCK);
  const encryptedContent = await aesCbc(p, "encrypt", key, iv, content);
  return encodeDer(EncryptedMessage, {
    contentType: Std.encryptedData,
    // version 0: no unprotectedAttrs (RFC 5652 8)
    content: {
      version: 0,
      encryptedContentInfo: { contentType, contentEncryptionAlgorithm: aes256Cbc(iv), encryptedContent },
    },
  });
}

/** Open EK(k, t); returns DER(t). Any failure is the one `decryption failed` error. */
export async function openEK(
  p: CryptoProvider,
  key: Uint8Array,
  msg: Uint8Array,
  options: { contentType: string },
): Promise<Uint8Array> {
  checkKey(key);
  try {
    const info = decodeDer(EncryptedMessage, msg, "EncryptedMessage");
    const eci = info.content.encryptedContentInfo;
    const cea = eci.contentEncryptionAlgorithm;
    const iv = cea.parameters && aesCbcIv(cea.parameters);
    if (
      info.contentType !== Std.encryptedData ||
      eci.contentType !== options.contentType ||
      cea.algorithm !== Std.aes256cbc ||
      !iv ||
      !eci.encryptedContent
    )
      throw decryptionFailed();
    return await aesCbc(p, "decrypt", key, iv, eci.encryptedContent);
  } catch {
    throw decryptionFailed();
  }
}
