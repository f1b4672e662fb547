/**
 * The phone's data directory: per card, `cards/<id>/card.json` (personalization: account data,
 * secrets, PIN reference, certificates), `cards/<id>/key.pem` (the signature key, the encrypted
 * PKCS#8 PEM it was issued as) and `cards/<id>/state.json` (PIN tries left, locked, last
 * transaction). Every file is mode 0600 and written atomically.
 */
import * as nodeCrypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CryptoProvider } from "@setlab/protocol";
import { labPassphrase } from "@setlab/runtime";
import {
  CARD_ID,
  type Card,
  type CardPersonalization,
  type CardState,
  freshCardState,
  PIN_TRIES,
} from "../card/cardData";
import { writeFileAtomic } from "./atomicFile";

/** A problem with the phone's data directory: one line for the operator, no card data in it. */
export class PhoneStoreError extends Error {
  override readonly name = "PhoneStoreError";
}

export const CARD_FORMAT = "setlab-phone-card/1";

interface CardFile {
  readonly format: typeof CARD_FORMAT;
  readonly cardId: string;
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
}

export const cardDir = (dataDir: string, cardId: string) => path.join(dataDir, "cards", cardId);

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const unhex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));

/** Write a card's personalization, key and a fresh state (a re-personalized card starts over). */
export function writeCard(dataDir: string, data: CardPersonalization, encryptedKeyPem: string): void {
  if (!CARD_ID.test(data.cardId))
    throw new PhoneStoreError(`card id "${data.cardId}" is not a valid card id`);
  const dir = cardDir(dataDir, data.cardId);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file: CardFile = {
    format: CARD_FORMAT,
    cardId: data.cardId,
    brand: data.brand,
    pan: data.pan,
    expiry: data.expiry,
    panSecret: Buffer.from(data.panSecret).toString("hex"),
    cardSecret: Buffer.from(data.cardSecret).toString("hex"),
    language: data.language,
    pinSalt: Buffer.from(data.pinSalt).toString("hex"),
    pinDigest: Buffer.from(data.pinDigest).toString("hex"),
    certificate: b64(data.certificate),
    chain: data.chain.map(b64),
    root: b64(data.root),
  };
  writeFileAtomic(path.join(dir, "key.pem"), encryptedKeyPem);
  writeFileAtomic(path.join(dir, "card.json"), `${JSON.stringify(file, null, 2)}\n`);
  writeCardState(dataDir, data.cardId, freshCardState());
}

export function writeCardState(dataDir: string, cardId: string, state: CardState): void {
  writeFileAtomic(path.join(cardDir(dataDir, cardId), "state.json"), `${JSON.stringify(state, null, 2)}\n`);
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

export function readCardState(dataDir: string, cardId: string): CardState {
  const file = path.join(cardDir(dataDir, cardId), "state.json");
  const s = readJson(file) as Partial<CardState> | null;
  if (
    !s ||
    typeof s !== "object" ||
    !Number.isInteger(s.pinTriesLeft) ||
    (s.pinTriesLeft as number) < 0 ||
    (s.pinTriesLeft as number) > PIN_TRIES ||
    typeof s.locked !== "boolean"
  )
    throw new PhoneStoreError(`${file} is not a card state`);
  return {
    pinTriesLeft: s.pinTriesLeft as number,
    // A counter at zero is a locked card whatever the flag says.
    locked: s.locked || s.pinTriesLeft === 0,
    ...(s.lastTransaction ? { lastTransaction: s.lastTransaction } : {}),
  };
}

function readPersonalization(dataDir: string, cardId: string): CardPersonalization {
  const file = path.join(cardDir(dataDir, cardId), "card.json");
  const c = readJson(file) as CardFile;
  const strings = [
    "cardId",
    "brand",
    "pan",
    "expiry",
    "panSecret",
    "cardSecret",
    "language",
    "pinSalt",
    "pinDigest",
  ];
  if (
    !c ||
    c.format !== CARD_FORMAT ||
    c.cardId !== cardId ||
    strings.some((k) => typeof (c as unknown as Record<string, unknown>)[k] !== "string") ||
    typeof c.certificate !== "string" ||
    typeof c.root !== "string" ||
    !Array.isArray(c.chain)
  )
    throw new PhoneStoreError(`${file} is not a ${CARD_FORMAT} card`);
  return {
    cardId: c.cardId,
    brand: c.brand,
    pan: c.pan,
    expiry: c.expiry,
    panSecret: unhex(c.panSecret),
    cardSecret: unhex(c.cardSecret),
    language: c.language,
    pinSalt: unhex(c.pinSalt),
    pinDigest: unhex(c.pinDigest),
    certificate: unb64(c.certificate),
    chain: c.chain.map(unb64),
    root: unb64(c.root),
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

/** Load one card: personalization, key (non-extractable in `p`), state; state changes persist atomically. */
export async function loadCard(
  p: CryptoProvider,
  dataDir: string,
  cardId: string,
  passphrase = labPassphrase,
): Promise<Card> {
  if (!CARD_ID.test(cardId)) throw new PhoneStoreError(`card id "${cardId}" is not a valid card id`);
  const data = readPersonalization(dataDir, cardId);
  const privateKey = await importCardKey(p, path.join(cardDir(dataDir, cardId), "key.pem"), passphrase);
  return {
    data,
    privateKey,
    state: readCardState(dataDir, cardId),
    persist: async (state) => writeCardState(dataDir, cardId, state),
  };
}

export async function loadCards(
  p: CryptoProvider,
  dataDir: string,
  passphrase = labPassphrase,
): Promise<Card[]> {
  const out: Card[] = [];
  for (const id of listCards(dataDir)) out.push(await loadCard(p, dataDir, id, passphrase));
  return out;
}
