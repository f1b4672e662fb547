/**
 * Personalization: the issuer writes each card's data onto the phone. From a lab PKI directory
 * (`set-ca init`): the cardholder certificate and its CA chain, the pinned root, the thumbprint of
 * the brand's gateway key-exchange certificate (the hardened profile's pin), cards.json's account
 * data, the signature key (re-encrypted under the phone's passphrase), a fresh random CardSecret
 * and the PIN reference. The card store seals it all under the passphrase.
 */
import * as nodeCrypto from "node:crypto";
import * as fs from "node:fs";
import { type CryptoProvider, fromHex, nodeProvider, parseSetCertificate, thumbOf } from "@setlab/protocol";
import { keyPassphrase, type LabPki, LabPkiError } from "@setlab/runtime";
import { CARD_ID, type CardPersonalization } from "../card/cardData";
import { PIN_FORMAT, pinDigest } from "../card/pin";
import { defaultKdf } from "./cardSealing";
import { PhoneStoreError, writeCard } from "./cardStore";

export interface PersonalizeOptions {
  /** Card ids from cards.json; default every card. */
  readonly cards?: readonly string[];
  /** Lab default "1234". */
  readonly pin?: string;
  readonly language?: string;
  readonly p?: CryptoProvider;
  /** Seals the card data and its key on the phone; default `keyPassphrase()` (SETLAB_PASSPHRASE, else "setlab"). */
  readonly passphrase?: string;
  /** Opens the cardholder keys in the PKI directory; default `keyPassphrase()`. */
  readonly pkiPassphrase?: string;
}

export const LAB_PIN = "1234";

/** The manifest entry of a test card's certificate: `<brand>/cards/<id>`, role card. */
function cardEntryId(pki: LabPki, cardId: string): string {
  const entry = pki.entries.find((e) => e.role === "card" && e.id.endsWith(`/cards/${cardId}`));
  if (!entry) throw new PhoneStoreError(`the lab PKI has no cardholder certificate for card "${cardId}"`);
  return entry.id;
}

/**
 * The hardened profile's pins for a brand: the thumbprint of the brand's gateway key-exchange
 * certificate, the PKI's `<brand>/gateway/key-exchange` entry (not the attack fixtures' gateways).
 */
async function gatewayPins(p: CryptoProvider, pki: LabPki, brand: string): Promise<Uint8Array[]> {
  const pins: Uint8Array[] = [];
  for (const e of pki.entries) {
    if (!/^[^/]+\/gateway\/key-exchange$/.test(e.id)) continue;
    const cert = parseSetCertificate(pki.certificate(e.id));
    if (cert.brand === brand) pins.push(await thumbOf(p, cert));
  }
  if (pins.length === 0)
    throw new PhoneStoreError(`the lab PKI has no ${brand} gateway key-exchange certificate to pin`);
  return pins;
}

/** The cardholder key from the PKI, as encrypted PKCS#8 PEM under the phone's passphrase. */
function rewrapKey(pki: LabPki, entryId: string, pkiPassphrase: string, passphrase: string): string {
  let pkcs8: Uint8Array;
  try {
    pkcs8 = pki.privateKeyPkcs8(entryId, pkiPassphrase);
  } catch {
    throw new LabPkiError(`cannot read the key of ${entryId} (missing, or wrong passphrase)`);
  }
  try {
    return nodeCrypto
      .createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" })
      .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase })
      .toString();
  } finally {
    pkcs8.fill(0);
  }
}

export async function personalize(
  pki: LabPki,
  dataDir: string,
  options: PersonalizeOptions = {},
): Promise<string[]> {
  const p = options.p ?? nodeProvider();
  const pin = options.pin ?? LAB_PIN;
  const passphrase = options.passphrase ?? keyPassphrase();
  const pkiPassphrase = options.pkiPassphrase ?? keyPassphrase();
  if (!PIN_FORMAT.test(pin)) throw new PhoneStoreError("the PIN must be 4 to 12 digits");
  const all = pki.cards();
  const ids = options.cards ?? Object.keys(all);
  for (const id of ids) {
    if (!CARD_ID.test(id)) throw new PhoneStoreError(`"${id}" is not a valid card id`);
    if (!all[id]) throw new PhoneStoreError(`cards.json has no card "${id}"`);
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // One salt for the cards of this run, as one keystore key for the phone: the phone then runs
  // scrypt once at start, not once per card (about 160 ms each here). The card id in each file's
  // additional data and in its state's MAC label keeps one card's files from passing for another's.
  const kdf = defaultKdf();
  for (const id of ids) {
    const account = all[id];
    const entryId = cardEntryId(pki, id);
    const pinSalt = p.random(16);
    const data: CardPersonalization = {
      cardId: id,
      brand: account.brand,
      pan: account.pan,
      expiry: account.expiry,
      panSecret: fromHex(account.panSecret),
      cardSecret: p.random(20),
      language: options.language ?? "en",
      certificate: pki.certificate(entryId),
      chain: pki.chain(entryId),
      root: pki.root(),
      gatewayThumbs: await gatewayPins(p, pki, account.brand),
      pinSalt,
      pinDigest: await pinDigest(p, pinSalt, pin),
    };
    if (data.panSecret.length !== 20)
      throw new PhoneStoreError(`cards.json: card "${id}" has a malformed panSecret`);
    const keyPem = rewrapKey(pki, entryId, pkiPassphrase, passphrase);
    writeCard(dataDir, data, keyPem, passphrase, kdf);
  }
  return [...ids];
}
