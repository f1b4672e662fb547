/**
 * EK(k, t): t encrypted under a symmetric key k the recipient delivered earlier (SET's
 * BackKeyData), as CMS EncryptedData with AES-256-CBC. OpenSSL opens it with
 * `openssl cms -EncryptedData_decrypt -secretkey <hex>`.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { decodeDer } from "../asn1/codec";
import { SetError } from "../errors";
import { ContentInfo } from "../schema/common";
import { contentKeyLength } from "../schema/extraBlock";
import { Std } from "../schema/oids";
import { AES_BLOCK, aes256CbcIdentifier, aesCbcIv, paramsOf } from "./algorithms";
import { own } from "./bytes";
import { decryptionFailed } from "./envelopedData";
import type { CryptoProvider } from "./provider";

async function aesKey(p: CryptoProvider, key: Uint8Array, use: KeyUsage): Promise<CryptoKey> {
  if (key.length !== contentKeyLength)
    throw new SetError("unspecifiedFailure", `EK needs a ${contentKeyLength}-byte AES-256 key`);
  return p.crypto.subtle.importKey("raw", own(key), "AES-CBC", false, [use]);
}

/** EK(k, t): EncryptedData typed `contentType`, fresh IV from the provider. */
export async function EK(
  p: CryptoProvider,
  key: Uint8Array,
  contentType: string,
  content: Uint8Array,
): Promise<Uint8Array> {
  const iv = p.random(AES_BLOCK);
  const ciphertext = await p.crypto.subtle.encrypt(
    { name: "AES-CBC", iv: own(iv) },
    await aesKey(p, key, "encrypt"),
    own(content),
  );
  const encryptedData = new pkijs.EncryptedData({
    // version 0: no unprotectedAttrs (RFC 5652 8)
    version: 0,
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      contentType,
      contentEncryptionAlgorithm: aes256CbcIdentifier(iv),
      encryptedContent: new asn1js.OctetString({ valueHex: ciphertext }),
      disableSplit: true,
    }),
  });
  const info = new pkijs.ContentInfo({ contentType: Std.encryptedData, content: encryptedData.toSchema() });
  return new Uint8Array(info.toSchema().toBER());
}

/** Open EK(k, t); returns DER(t). Any failure is the one `decryption failed` error. */
export async function openEK(
  p: CryptoProvider,
  key: Uint8Array,
  msg: Uint8Array,
  options: { contentType: string },
): Promise<Uint8Array> {
  const cryptoKey = await aesKey(p, key, "decrypt");
  try {
    const info = decodeDer(ContentInfo, msg, "EncryptedMessage");
    if (info.contentType !== Std.encryptedData) throw decryptionFailed();
    const eci = new pkijs.EncryptedData({ schema: asn1js.fromBER(own(info.content).buffer).result })
      .encryptedContentInfo;
    const params = paramsOf(eci.contentEncryptionAlgorithm);
    const iv = params && aesCbcIv(params);
    if (
      eci.contentType !== options.contentType ||
      eci.contentEncryptionAlgorithm.algorithmId !== Std.aes256cbc ||
      !iv
    )
      throw decryptionFailed();
    const plaintext = await p.crypto.subtle.decrypt(
      { name: "AES-CBC", iv: own(iv) },
      cryptoKey,
      own(new Uint8Array(eci.getEncryptedContent())),
    );
    return new Uint8Array(plaintext);
  } catch {
    throw decryptionFailed();
  }
}
