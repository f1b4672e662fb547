/**
 * The phone's data directory: per card, `cards/<id>/card.json` (the personalization: account data,
 * secrets, PIN reference, certificates and gateway pins, sealed with AES-256-GCM under a key the
 * passphrase and a per-card salt derive), `cards/<id>/key.pem` (the signature key, encrypted
 * PKCS#8 under the same passphrase) and `cards/<id>/state.slots` (the card's state: cardStateFile.ts).
 * Every file is mode 0600 and written atomically or, the state, slot by slot. See docs/keys-at-rest.md.
 */
import * as nodeCrypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CryptoProvider } from "@setlab/protocol";
import { fromHex, toHex, utf8 } from "@setlab/protocol";
import { keyPassphrase } from "@setlab/runtime";
import {
  CARD_ID,
  type Card,
  type CardPersonalization,
  type CardState,
  freshCardState,
} from "../card/cardData";
import { writeFileAtomic } from "./atomicFile";
import {
  type CardKeys,
  canonicalJson,
  defaultKdf,
  deriveCardKeys,
  type KdfParams,
  type Sealed,
  seal,
  unseal,
  validKdf,
} from "./cardSealing";
import { openCardState, readCardState, STATE_FORMAT, writeCardState } from "./cardStateFile";
import { PhoneStoreError } from "./phoneStoreError";
import { StateCommit } from "./stateCommit";

export { PhoneStoreError, STATE_FORMAT };

/**
 * Told when one slot of a card's state file held no valid record and the other slot's state was
 * taken (a crash during a write, or damage): `why` names the slot and the fault, no card data.
 */
export type DamagedSlotListener = (cardId: string, why: string) => void;

export const CARD_FORMAT = "setlab-phone-card/2";
/** The clear-text card files of earlier versions: refused, the card must be personalized again. */
const OLD_CARD_FORMATS = ["setlab-phone-card/1"];

/** card.json: only the format, the card id and the KDF parameters are in clear. */
interface CardFile {
  readonly format: typeof CARD_FORMAT;
  readonly cardId: string;
  readonly kdf: KdfParams;
  readonly sealed: Sealed;
}

/** What the sealed part of card.json holds. */
interface SealedPersonalization {
  readonly brand: string;
  readonly pan: string;
  readonly expiry: string;
  readonly panSecret: string;
  readonly cardSecret: string;
  readonly language: string;
  readonly pinSalt: string;
  readonly pinDigest: string;
  readonly certificate: string;
  readonly chain: readonly string[];
  readonly root: string;
  readonly gatewayThumbs: readonly string[];
}

export const cardDir = (dataDir: string, cardId: string) => path.join(dataDir, "cards", cardId);

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

/** Additional data of the seal: the clear header cannot be swapped between cards or edited. */
const cardAad = (cardId: string, kdf: KdfParams) => utf8(`${CARD_FORMAT}\n${cardId}\n${canonicalJson(kdf)}`);

function checkCardId(cardId: string): void {
  if (!CARD_ID.test(cardId)) throw new PhoneStoreError(`card id "${cardId}" is not a valid card id`);
}

/**
 * Write a card's personalization, key and a fresh state (a re-personalized card starts over).
 * `encryptedKeyPem` is the signature key as encrypted PKCS#8 under `passphrase`; `kdf` carries a
 * fresh random salt unless the caller gives one.
 */
export function writeCard(
  dataDir: string,
  data: CardPersonalization,
  encryptedKeyPem: string,
  passphrase: string = keyPassphrase(),
  kdf: KdfParams = defaultKdf(),
): void {
  checkCardId(data.cardId);
  if (!validKdf(kdf))
    throw new PhoneStoreError("the key derivation parameters are outside the accepted range");
  const dir = cardDir(dataDir, data.cardId);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = deriveCardKeys(passphrase, kdf);
  const inner: SealedPersonalization = {
    brand: data.brand,
    pan: data.pan,
    expiry: data.expiry,
    panSecret: toHex(data.panSecret),
    cardSecret: toHex(data.cardSecret),
    language: data.language,
    pinSalt: toHex(data.pinSalt),
    pinDigest: toHex(data.pinDigest),
    certificate: b64(data.certificate),
    chain: data.chain.map(b64),
    root: b64(data.root),
    gatewayThumbs: data.gatewayThumbs.map((t) => toHex(t)),
  };
  const plaintext = utf8(JSON.stringify(inner));
  const file: CardFile = {
    format: CARD_FORMAT,
    cardId: data.cardId,
    kdf,
    sealed: seal(keys.sealKey, plaintext, cardAad(data.cardId, kdf)),
  };
  plaintext.fill(0);
  writeFileAtomic(path.join(dir, "key.pem"), encryptedKeyPem);
  writeFileAtomic(path.join(dir, "card.json"), `${JSON.stringify(file, null, 2)}\n`);
  writeCardState(dir, data.cardId, freshCardState(), keys.stateKey);
}

/** The card ids personalized in a data directory. */
export function listCards(dataDir: string): string[] {
  const dir = path.join(dataDir, "cards");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && CARD_ID.test(d.name))
    .map((d) => d.name)
    .sort();
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new PhoneStoreError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new PhoneStoreError(`${file} is not valid JSON`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Open card.json with the passphrase: the personalization and the card's keys. */
export function openCardFile(
  dataDir: string,
  cardId: string,
  passphrase: string = keyPassphrase(),
): { data: CardPersonalization; keys: CardKeys } {
  checkCardId(cardId);
  const file = path.join(cardDir(dataDir, cardId), "card.json");
  const c = readJson(file);
  if (isObject(c) && (OLD_CARD_FORMATS.includes(c.format as string) || "pan" in c))
    throw new PhoneStoreError(
      `${file} holds card data in clear (an older format); personalize the card again (set-phone personalize)`,
    );
  if (
    !isObject(c) ||
    c.format !== CARD_FORMAT ||
    c.cardId !== cardId ||
    !validKdf(c.kdf) ||
    !isObject(c.sealed) ||
    typeof c.sealed.iv !== "string" ||
    typeof c.sealed.data !== "string"
  )
    throw new PhoneStoreError(`${file} is not a ${CARD_FORMAT} card`);
  const kdf = c.kdf;
  const keys = deriveCardKeys(passphrase, kdf);
  const plaintext = unseal(keys.sealKey, c.sealed as unknown as Sealed, cardAad(cardId, kdf));
  if (!plaintext) throw new PhoneStoreError(`cannot open ${file}: wrong passphrase, or the file was altered`);
  let inner: SealedPersonalization;
  try {
    inner = JSON.parse(new TextDecoder().decode(plaintext)) as SealedPersonalization;
  } catch {
    throw new PhoneStoreError(`${file} does not hold a card personalization`);
  } finally {
    plaintext.fill(0);
  }
  const strings = ["brand", "pan", "expiry", "panSecret", "cardSecret", "language", "pinSalt", "pinDigest"];
  if (
    !isObject(inner) ||
    strings.some((k) => typeof (inner as unknown as Record<string, unknown>)[k] !== "string") ||
    typeof inner.certificate !== "string" ||
    typeof inner.root !== "string" ||
    !Array.isArray(inner.chain) ||
    !Array.isArray(inner.gatewayThumbs)
  )
    throw new PhoneStoreError(`${file} does not hold a card personalization`);
  return {
    keys,
    data: {
      cardId,
      brand: inner.brand,
      pan: inner.pan,
      expiry: inner.expiry,
      panSecret: fromHex(inner.panSecret),
      cardSecret: fromHex(inner.cardSecret),
      language: inner.language,
      pinSalt: fromHex(inner.pinSalt),
      pinDigest: fromHex(inner.pinDigest),
      certificate: unb64(inner.certificate),
      chain: inner.chain.map(unb64),
      root: unb64(inner.root),
      gatewayThumbs: inner.gatewayThumbs.map((t) => fromHex(t, "gatewayThumbs")),
    },
  };
}

/** Decrypt the stored PEM and import it into the card's crypto, non-extractable; the DER is wiped. */
async function importCardKey(p: CryptoProvider, pemFile: string, passphrase: string): Promise<CryptoKey> {
  let pkcs8: Uint8Array<ArrayBuffer>;
  try {
    const pem = fs.readFileSync(pemFile, "utf8");
    pkcs8 = new Uint8Array(
      nodeCrypto
        .createPrivateKey({ key: pem, format: "pem", passphrase })
        .export({ type: "pkcs8", format: "der" }),
    );
  } catch {
    throw new PhoneStoreError(`cannot read the card key ${pemFile} (missing, or wrong passphrase)`);
  }
  try {
    return await p.crypto.subtle.importKey(
      "pkcs8",
      pkcs8,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
  } catch {
    throw new PhoneStoreError(`the card key ${pemFile} is not an RSA signature key`);
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * Load one card: personalization, key (non-extractable in `p`), state. State changes persist
 * atomically and durably before `persist` resolves; changes made while a write is in flight are
 * written together by the next one (the phone serves several sessions on the same card).
 */
export async function loadCard(
  p: CryptoProvider,
  dataDir: string,
  cardId: string,
  passphrase: string = keyPassphrase(),
  onDamagedSlot?: DamagedSlotListener,
): Promise<Card> {
  checkCardId(cardId);
  const { data, keys } = openCardFile(dataDir, cardId, passphrase);
  const opened = openCardState(cardDir(dataDir, cardId), cardId, keys.stateKey);
  if (opened.damagedSlot) onDamagedSlot?.(cardId, opened.damagedSlot);
  const privateKey = await importCardKey(p, path.join(cardDir(dataDir, cardId), "key.pem"), passphrase);
  const eeprom = new StateCommit<CardState>(opened.write);
  return { data, privateKey, state: opened.state, persist: (next) => eeprom.commit(next) };
}

/**
 * A card's state as its files hold it, for tools and tests that watch a phone from outside: read
 * only, the MAC checked with the key the passphrase derives (no card is loaded, nothing written).
 */
export function readStoredCardState(
  dataDir: string,
  cardId: string,
  passphrase: string = keyPassphrase(),
): CardState {
  const { keys } = openCardFile(dataDir, cardId, passphrase);
  return readCardState(cardDir(dataDir, cardId), cardId, keys.stateKey);
}

/** The scrypt parameters `cardId`'s card.json carries, or undefined when it has none we accept. */
export function storedCardKdf(dataDir: string, cardId: string): KdfParams | undefined {
  checkCardId(cardId);
  const c = readJson(path.join(cardDir(dataDir, cardId), "card.json"));
  return isObject(c) && validKdf(c.kdf) ? c.kdf : undefined;
}

export async function loadCards(
  p: CryptoProvider,
  dataDir: string,
  passphrase: string = keyPassphrase(),
  onDamagedSlot?: DamagedSlotListener,
): Promise<Card[]> {
  const out: Card[] = [];
  for (const id of listCards(dataDir)) out.push(await loadCard(p, dataDir, id, passphrase, onDamagedSlot));
  return out;
}
