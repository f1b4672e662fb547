/**
 * Embodiment 2: the shop sends a session key encrypted to the card's key, and the order under
 * that key, S(M, E2SessionKeyData). The card opens both; the order then goes to the PC under the
 * non-forward flag, for the buyer's eyes only. The merchant also says how the card information is
 * to come back (claims 7-8): under the session key, or, when it names the card company's
 * (gateway's) key-exchange certificate, sealed to that certificate for the gateway alone.
 */
import { decodeDer, encodeDer } from "../../asn1/codec";
import { bytesEqual } from "../../asn1/tlv";
import type { Trust } from "../../cert/trust";
import { EK, openEK } from "../../crypto/encryptedMessage";
import { decryptionFailed } from "../../crypto/envelopedData";
import type { CryptoProvider } from "../../crypto/provider";
import type { Signer } from "../../crypto/signedMessage";
import { oaepPublicKey, rsaOaepDecrypt, rsaOaepEncrypt } from "../../crypto/suite";
import { SetError } from "../../errors";
import { E2OrderInfo, E2SessionKeyData } from "../../schema/embodiments";
import { SetLab } from "../../schema/oids";
import { type EmbodimentIncoming, expectSame } from "../embodiment1/envelope";
import { signedEmbodiment } from "../embodiment1/signedEmbodiment";
import { checkPartyCertificate } from "../partyCertificate";

const e2SessionKey = signedEmbodiment("e2SessionKey", SetLab.e2SessionKey, E2SessionKeyData);

/** AES-256: the session key's length. */
export const sessionKeyBytes = 32;

/** The merchant draws a session key, seals it to the card's key and the order under it, and signs. */
export async function sealE2SessionKey(
  p: CryptoProvider,
  merchant: Signer,
  cardKey: Uint8Array,
  ids: { readonly xid: Uint8Array; readonly chall_C: Uint8Array },
  order: E2OrderInfo,
  date: Date,
  /** The card-company option: the gateway's key-exchange certificate, then its path to the root. */
  cardCompanyKey?: readonly Uint8Array[],
): Promise<{ readonly message: Uint8Array; readonly sessionKey: Uint8Array }> {
  const key = await oaepPublicKey(p, cardKey);
  if (!key)
    throw new SetError("decodingFailure", "the card's key is not an RSA key", "E2CardHelloData.cardKey");
  const sessionKey = p.random(sessionKeyBytes);
  const data: E2SessionKeyData = {
    ...ids,
    sealedKey: await rsaOaepEncrypt(p, key, sessionKey),
    orderInfo: await EK(p, sessionKey, SetLab.e2OrderInfo, encodeDer(E2OrderInfo, order)),
    ...(cardCompanyKey ? { cardCompanyKey: [...cardCompanyKey] } : {}),
  };
  return { message: await e2SessionKey.sign(p, merchant, data, date), sessionKey };
}

export interface E2SessionKeyExpectations {
  readonly xid: Uint8Array;
  readonly chall_C: Uint8Array;
  /** The merchant certificate of the hello: the same merchant must send the key. */
  readonly merchantCertificate: Uint8Array;
  readonly brand: string;
}

export interface ReceivedE2SessionKey {
  readonly sessionKey: Uint8Array;
  readonly order: E2OrderInfo;
  /** The card-company option: the checked gateway key-exchange certificate to seal the card information to. */
  readonly cardCompanyCertificate?: Uint8Array;
}

/**
 * Every check of the key message: the message type (a refusal: RemoteSetError); the merchant's
 * signature (signatureFailure), by the certificate of its hello (thumbsMismatch), still valid
 * under the pinned root (invalidCertificate ...); the XID (unknownXID) and the card's Chall-C
 * (challengeMismatch); under the card-company option, the certificate named a gateway
 * key-exchange certificate of the card's brand chained to the pinned root (invalidCertificate ...);
 * the key block and the order under it opened with the card's key (any failure the one
 * decodingFailure).
 */
export async function receiveE2SessionKey(
  p: CryptoProvider,
  message: EmbodimentIncoming,
  expected: E2SessionKeyExpectations,
  receiver: { readonly trust: Trust; readonly cardKey: CryptoKey },
): Promise<ReceivedE2SessionKey> {
  const { data } = await e2SessionKey.open(p, message, undefined, async (verified) => {
    if (!bytesEqual(verified.signerCertificate, expected.merchantCertificate))
      throw new SetError("thumbsMismatch", "another merchant than the hello's sent the key", "E2SessionKey");
    await checkPartyCertificate(p, verified.signerCertificate, verified.certificates, receiver.trust, {
      role: "mer",
      use: "signature",
      brand: expected.brand,
    });
  });
  expectSame(data.xid, expected.xid, "unknownXID", "E2SessionKeyData.xid");
  expectSame(data.chall_C, expected.chall_C, "challengeMismatch", "E2SessionKeyData.chall-C");
  let cardCompanyCertificate: Uint8Array | undefined;
  if (data.cardCompanyKey) {
    const [gateway, ...path] = data.cardCompanyKey;
    // Only a key the card company's root vouches for: the merchant cannot name a key of its own.
    await checkPartyCertificate(p, gateway, path, receiver.trust, {
      role: "pgwy",
      use: "keyEncipherment",
      brand: expected.brand,
    });
    cardCompanyCertificate = gateway;
  }
  // Every failure from here on is the one decryption failure: a distinct answer for a block that
  // decrypts but does not decode would be an oracle on the padding.
  try {
    const sessionKey = await rsaOaepDecrypt(p, receiver.cardKey, data.sealedKey);
    if (sessionKey.length !== sessionKeyBytes) throw decryptionFailed();
    const opened = await openEK(p, sessionKey, data.orderInfo, { contentType: SetLab.e2OrderInfo });
    return {
      sessionKey,
      order: decodeDer(E2OrderInfo, opened, "E2OrderInfo"),
      ...(cardCompanyCertificate ? { cardCompanyCertificate } : {}),
    };
  } catch {
    throw decryptionFailed();
  }
}
