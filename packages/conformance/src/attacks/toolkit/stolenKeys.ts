/**
 * What an insider adversary holds: a party's keys and certificates from the lab PKI directory
 * (`set-ca init`), kept in memory only. A dishonest merchant signs with the lab merchant's key; an
 * accomplice gateway opens envelopes with its own key-exchange key; a dishonest cardholder signs
 * with its card's key.
 */
import { type CryptoProvider, type Decrypter, nodeProvider, type Signer } from "@setlab/protocol";
import { LabPki } from "@setlab/runtime";

export const adversaryProvider: CryptoProvider = nodeProvider();

export function openPki(dir: string): LabPki {
  return LabPki.open(dir);
}

/** A signer (certificate, key, CA chain) for a manifest id, e.g. `visa/merchant/signature`. */
export async function signerOf(pki: LabPki, id: string, p = adversaryProvider): Promise<Signer> {
  return {
    certificate: pki.certificate(id),
    privateKey: await pki.privateKey(id, "signature", p),
    chain: pki.chain(id),
  };
}

/** A key-exchange decrypter for a manifest id, e.g. `attack/visa/accomplice-gateway/key-exchange`. */
export async function decrypterOf(pki: LabPki, id: string, p = adversaryProvider): Promise<Decrypter> {
  return {
    certificate: pki.certificate(id),
    privateKey: await pki.privateKey(id, "keyEncipherment", p),
  };
}

/** A certificate with the CA chain above it (without the root). */
export function certificateWithChain(
  pki: LabPki,
  id: string,
): { certificate: Uint8Array; chain: Uint8Array[] } {
  return { certificate: pki.certificate(id), chain: pki.chain(id) };
}

/** Whether the PKI has this manifest id (attack fixtures may be missing in an older PKI). */
export function hasEntry(pki: LabPki, id: string): boolean {
  return pki.entries.some((e) => e.id === id);
}

/** A test card's account data by card id (`visa-approve`), from cards.json or attack/cards.json. */
export function cardData(
  pki: LabPki,
  cardId: string,
): { brand: string; pan: string; expiry: string; panSecret: string } {
  const card = pki.cards()[cardId];
  if (!card) throw new Error(`no test card ${cardId} in the lab PKI`);
  return card;
}
