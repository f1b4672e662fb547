/**
 * A PIDualSigned with one byte flipped at a chosen layer: the RSA block of its envelope, the last
 * ciphertext byte (the CBC padding), the first (the inner structure), or the last byte of the dual
 * signature (its SignedData ends with the signature value). What an attacker holding the PI bytes
 * (the merchant, or anyone on the path) can send the gateway to learn which layer failed.
 */
import { decodeDer, encodeDer } from "../asn1/codec";
import { contentInfoOf, EnvelopedData } from "../schema/cms";
import type { PIDualSigned } from "../schema/purchase";

export const piLayers = ["rsaBlock", "lastCipherByte", "firstCipherByte", "signature"] as const;
export type PILayer = (typeof piLayers)[number];

const Enveloped = contentInfoOf(EnvelopedData);

const flip = (bytes: Uint8Array, at: number) => {
  const copy = bytes.slice();
  copy[at] ^= 0x01;
  return copy;
};

export function damagedPI(pi: PIDualSigned, where: PILayer): PIDualSigned {
  if (where === "signature") return { ...pi, piSignature: flip(pi.piSignature, pi.piSignature.length - 1) };
  const info = decodeDer(Enveloped, pi.exPIData);
  const enveloped = info.content;
  const [recipient, ...others] = enveloped.recipientInfos;
  const eci = enveloped.encryptedContentInfo;
  const cipher = eci.encryptedContent as Uint8Array;
  const next =
    where === "rsaBlock"
      ? {
          ...enveloped,
          recipientInfos: [
            { ...recipient, encryptedKey: flip(recipient.encryptedKey, recipient.encryptedKey.length >> 1) },
            ...others,
          ],
        }
      : {
          ...enveloped,
          encryptedContentInfo: {
            ...eci,
            encryptedContent: flip(cipher, where === "lastCipherByte" ? cipher.length - 1 : 0),
          },
        };
  return { ...pi, exPIData: encodeDer(Enveloped, { ...info, content: next }) };
}
