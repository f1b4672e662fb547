/**
 * Personalization: the issuer writes each card's data onto the phone. From a lab PKI directory
 * (`set-ca init`): the cardholder certificate and its CA chain, the pinned root, cards.json's
 * account data, the encrypted signature key as issued, a fresh random CardSecret and the PIN.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type CryptoProvider, nodeProvider } from "@setlab/protocol";
import { type LabPki, LabPkiError } from "@setlab/runtime";
import { CARD_ID, type CardPersonalization } from "../card/cardData";
import { PIN_FORMAT, pinDigest } from "../card/pin";
import { PhoneStoreError, writeCard } from "./cardStore";

export interface PersonalizeOptions {
  /** Card ids from cards.json; default every card. */
  readonly cards?: readonly string[];
  /** Lab default "1234". */
  readonly pin?: string;
  readonly language?: string;
  readonly p?: CryptoProvider;
}

export const LAB_PIN = "1234";

/** The manifest entry of a test card's certificate: `<brand>/cards/<id>`, role card. */
function cardEntryId(pki: LabPki, cardId: string): string {
  const entry = pki.entries.find((e) => e.role === "card" && e.id.endsWith(`/cards/${cardId}`));
  if (!entry) throw new PhoneStoreError(`the lab PKI has no cardholder certificate for card "${cardId}"`);
  return entry.id;
}

export async function personalize(
  pki: LabPki,
  dataDir: string,
  options: PersonalizeOptions = {},
): Promise<string[]> {
  const p = options.p ?? nodeProvider();
  const pin = options.pin ?? LAB_PIN;
  if (!PIN_FORMAT.test(pin)) throw new PhoneStoreError("the PIN must be 4 to 12 digits");
  const all = pki.cards();
  const ids = options.cards ?? Object.keys(all);
  for (const id of ids) {
    if (!CARD_ID.test(id)) throw new PhoneStoreError(`"${id}" is not a valid card id`);
    if (!all[id]) throw new PhoneStoreError(`cards.json has no card "${id}"`);
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const id of ids) {
    const account = all[id];
    const entryId = cardEntryId(pki, id);
    const pinSalt = p.random(16);
    const data: CardPersonalization = {
      cardId: id,
      brand: account.brand,
      pan: account.pan,
      expiry: account.expiry,
      panSecret: new Uint8Array(Buffer.from(account.panSecret, "hex")),
      cardSecret: p.random(20),
      language: options.language ?? "en",
      certificate: pki.certificate(entryId),
      chain: pki.chain(entryId),
      root: pki.root(),
      pinSalt,
      pinDigest: await pinDigest(p, pinSalt, pin),
    };
    if (data.panSecret.length !== 20)
      throw new PhoneStoreError(`cards.json: card "${id}" has a malformed panSecret`);
    let keyPem: string;
    try {
      keyPem = fs.readFileSync(path.join(pki.dir, pki.entry(entryId).key), "utf8");
    } catch {
      throw new LabPkiError(`cannot read the key of ${entryId}`);
    }
    writeCard(dataDir, data, keyPem);
  }
  return [...ids];
}
