/**
 * A card's state on the phone (its EEPROM): `cards/<id>/state.slots`. PIN tries left, locked, the
 * last transaction, the highest BrandCRLIdentifier sequenceNum per brand and the remembered
 * purchases, under an HMAC so that an edit on disk is detected (docs/keys-at-rest.md).
 *
 * The file is two slots of equal size. Each holds one record, a line of JSON ended by `\n`:
 * `{"format":"setlab-phone-state/2","seq":N,<the state's canonical JSON fields>,"mac":"<hex>"}`.
 * The MAC covers the format, the card id and `seq` with the state; a record with an even `seq` is
 * only valid in slot 0, an odd one only in slot 1. What follows the `\n` in a slot is filler.
 *
 * A change is written in place, twice: the record at `seq` = newest + 1 into the slot that does not
 * hold the newest record, made durable (`fdatasync`), then the same state at `seq` + 1 into the
 * other slot, made durable. At rest both slots hold the newest state. A crash during the first
 * write leaves the other slot with the last durable state (the change was never answered); during
 * the second, the first slot with the new one. Reading takes the valid record with the highest
 * `seq`, so damaging one slot gains an attacker nothing: the other holds the same state. Neither
 * valid: the card is refused, locked, as before.
 *
 * A write that fails leaves the slots unknown, so the next one replaces the whole file atomically
 * (temporary file, fsync, rename, directory fsync), as does a state too large for its slots. The
 * earlier format, one `state.json` replaced by rename on every change (`setlab-phone-state/1`), is
 * read once and converted when its card is loaded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type CardState, PIN_TRIES } from "../card/cardData";
import type { RememberedPurchase } from "../card/purchaseMemory";
import { writeFileAtomic, writeFileAtomicAsync, writeSlotsAsync } from "./atomicFile";
import { canonicalJson, mac, macOfCanonical, sameMac } from "./cardSealing";
import { PhoneStoreError } from "./phoneStoreError";

export const STATE_FILE = "state.slots";
export const STATE_FORMAT = "setlab-phone-state/2";
/** The earlier format and its file: read once, then replaced by `state.slots`. */
const LEGACY_STATE_FILE = "state.json";
const LEGACY_STATE_FORMAT = "setlab-phone-state/1";

/** A slot's smallest size: a state with eight remembered purchases is about 21 KB. */
export const MIN_SLOT_BYTES = 64 * 1024;
/** Beyond this a state file is refused unread (a state cannot grow near it: eight purchases at most). */
const MAX_SLOT_BYTES = 4 * 1024 * 1024;

const NEWLINE = 0x0a;

/** The newest `seq` before a fresh file, whose records are then 0 and 1. */
const NO_RECORD = -1;

/**
 * The canonical JSON of each remembered purchase, kept per entry: a state holds up to eight of
 * them, each with a merchant certificate, and every state write would otherwise serialize them all
 * again (most of a write's CPU). Entries are never changed in place (`purchaseMemory.ts` makes a
 * new one for each change), so an entry's text stays its text.
 */
const purchaseJson = new WeakMap<object, string>();

function canonicalPurchase(p: RememberedPurchase): string {
  let text = purchaseJson.get(p);
  if (text === undefined) {
    text = canonicalJson(p);
    purchaseJson.set(p, text);
  }
  return text;
}

/** `canonicalJson(value)`, byte for byte, with the purchases' texts reused. */
export function canonicalState(value: CardState): string {
  const fields: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const v = (value as unknown as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const text =
      key === "purchases" && Array.isArray(v)
        ? `[${(v as RememberedPurchase[]).map(canonicalPurchase).join(",")}]`
        : canonicalJson(v);
    fields.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${fields.join(",")}}`;
}

/** Only the fields a state has, so that an absent one is absent from the canonical JSON too. */
function stateFields(state: CardState): CardState {
  return {
    pinTriesLeft: state.pinTriesLeft,
    locked: state.locked,
    ...(state.lastTransaction ? { lastTransaction: state.lastTransaction } : {}),
    ...(state.bciSequence ? { bciSequence: state.bciSequence } : {}),
    ...(state.purchases?.length ? { purchases: state.purchases } : {}),
  };
}

const recordLabel = (cardId: string, seq: number) => `${STATE_FORMAT}\n${cardId}\n${seq}`;

/** One slot's record: the state's canonical JSON between the format and sequence number and the MAC. */
function recordOf(cardId: string, canonical: string, seq: number, stateKey: Uint8Array): string {
  const macHex = macOfCanonical(stateKey, recordLabel(cardId, seq), canonical);
  // `canonical` is an object with at least pinTriesLeft and locked: its fields go between the two.
  return `{"format":${JSON.stringify(STATE_FORMAT)},"seq":${seq},${canonical.slice(1, -1)},"mac":"${macHex}"}\n`;
}

/** A slot size that holds `bytes` with room to grow. */
const slotSizeFor = (bytes: number) => Math.max(MIN_SLOT_BYTES, Math.ceil((2 * bytes) / 4096) * 4096);

/** A whole state file: the record at `seq` and the one at `seq + 1`, each in its slot. */
function slotsFile(slotSize: number, seq: number, first: string, second: string): Buffer {
  const out = Buffer.alloc(2 * slotSize, NEWLINE);
  out.write(first, (seq % 2) * slotSize, "utf8");
  out.write(second, ((seq + 1) % 2) * slotSize, "utf8");
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The state's fields as a record gives them, not yet checked (the MAC covers exactly these). */
function fieldsOf(s: Record<string, unknown>): CardState {
  return {
    pinTriesLeft: s.pinTriesLeft as number,
    locked: s.locked as boolean,
    ...(s.lastTransaction !== undefined
      ? { lastTransaction: s.lastTransaction as CardState["lastTransaction"] }
      : {}),
    ...(s.bciSequence !== undefined ? { bciSequence: s.bciSequence as CardState["bciSequence"] } : {}),
    ...(s.purchases !== undefined ? { purchases: s.purchases as CardState["purchases"] } : {}),
  };
}

function wellFormed(value: CardState): boolean {
  return (
    Number.isInteger(value.pinTriesLeft) &&
    value.pinTriesLeft >= 0 &&
    value.pinTriesLeft <= PIN_TRIES &&
    typeof value.locked === "boolean" &&
    (value.lastTransaction === undefined || isObject(value.lastTransaction)) &&
    (value.purchases === undefined || (Array.isArray(value.purchases) && value.purchases.every(isObject))) &&
    (value.bciSequence === undefined ||
      (isObject(value.bciSequence) &&
        Object.values(value.bciSequence).every((n) => Number.isInteger(n) && n >= 0 && n <= 4294967295)))
  );
}

/** A counter at zero is a locked card whatever the flag says. */
const lockedAtZero = (s: CardState): CardState => ({ ...s, locked: s.locked || s.pinTriesLeft === 0 });

type SlotRead =
  | { readonly ok: true; readonly seq: number; readonly state: CardState }
  | { readonly ok: false; readonly why: string };

/** Slot `index`'s record, checked: its place, its MAC, its fields. */
function readSlot(slot: Buffer, index: number, cardId: string, stateKey: Uint8Array): SlotRead {
  const end = slot.indexOf(NEWLINE);
  if (end <= 0) return { ok: false, why: "holds no record" };
  let s: unknown;
  try {
    s = JSON.parse(slot.toString("utf8", 0, end));
  } catch {
    return { ok: false, why: "is not a card state" };
  }
  if (!isObject(s)) return { ok: false, why: "is not a card state" };
  if (s.format !== STATE_FORMAT || typeof s.mac !== "string")
    return { ok: false, why: `is not a ${STATE_FORMAT} state with a MAC` };
  const seq = s.seq;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0 || (seq as number) % 2 !== index)
    return { ok: false, why: "is not a card state" };
  // The MAC first: a state that does not verify is "altered", whatever its fields.
  const value = fieldsOf(s);
  if (!sameMac(s.mac, mac(stateKey, recordLabel(cardId, seq as number), value)))
    return { ok: false, why: "was altered on disk (its MAC does not verify)" };
  if (!wellFormed(value)) return { ok: false, why: "is not a card state" };
  return { ok: true, seq: seq as number, state: value };
}

/** Where a card's state stands on disk: what the next write needs. */
interface StatePosition {
  /** The newest valid record's sequence number. */
  seq: number;
  slotSize: number;
  /** A write failed: the slots' content is unknown until the whole file is written again. */
  rewrite: boolean;
}

interface StateRead {
  readonly state: CardState;
  readonly position: StatePosition;
  /** One slot did not hold a valid record, and why (the other one's state was taken). */
  readonly damagedSlot?: string;
  /** The state came from the earlier single-file format. */
  readonly legacy?: true;
}

const altered = (file: string, cardId: string, why: string) =>
  new PhoneStoreError(
    `${file} ${why}: card "${cardId}" is locked; personalize it again (set-phone personalize)`,
  );

function readStateSlots(file: string, cardId: string, stateKey: Uint8Array): StateRead {
  let bytes: Buffer;
  const fd = openForReading(file);
  try {
    const size = fs.fstatSync(fd).size;
    if (size % 2 !== 0 || size < 2 * MIN_SLOT_BYTES || size > 2 * MAX_SLOT_BYTES)
      throw altered(file, cardId, "is not a card state");
    bytes = Buffer.alloc(size);
    for (let done = 0; done < size; ) {
      const n = fs.readSync(fd, bytes, done, size - done, done);
      if (n === 0) throw altered(file, cardId, "is not a card state");
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  const slotSize = bytes.length / 2;
  const slots = [0, 1].map((i) =>
    readSlot(bytes.subarray(i * slotSize, (i + 1) * slotSize), i, cardId, stateKey),
  );
  const valid = slots.filter((s) => s.ok);
  if (valid.length === 0) {
    const [a, b] = slots as { why: string }[];
    throw altered(file, cardId, a.why === b.why ? a.why : `${a.why} (slot 0), ${b.why} (slot 1)`);
  }
  const newest = valid.reduce((x, y) => (y.seq > x.seq ? y : x));
  const damaged = slots.find((s) => !s.ok);
  return {
    state: lockedAtZero(newest.state),
    position: { seq: newest.seq, slotSize, rewrite: false },
    ...(damaged && !damaged.ok ? { damagedSlot: `slot ${1 - (newest.seq % 2)} ${damaged.why}` } : {}),
  };
}

function openForReading(file: string): number {
  try {
    return fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    throw new PhoneStoreError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

/** The earlier format: one `state.json` whose MAC covers the state under the format and card id. */
function readLegacyState(file: string, cardId: string, stateKey: Uint8Array): CardState {
  let s: unknown;
  try {
    // As large as one slot may be, at most: refused from its size, not read.
    if (fs.statSync(file).size > MAX_SLOT_BYTES) throw new RangeError("too large");
    s = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    throw altered(file, cardId, "is not a card state");
  }
  if (!isObject(s) || s.format !== LEGACY_STATE_FORMAT || typeof s.mac !== "string")
    throw altered(file, cardId, "is not a card state");
  const value = fieldsOf(s);
  if (!sameMac(s.mac, mac(stateKey, `${LEGACY_STATE_FORMAT}\n${cardId}`, value)))
    throw altered(file, cardId, "was altered on disk (its MAC does not verify)");
  if (!wellFormed(value)) throw altered(file, cardId, "is not a card state");
  return lockedAtZero(value);
}

function readState(cardDir: string, cardId: string, stateKey: Uint8Array): StateRead {
  const file = path.join(cardDir, STATE_FILE);
  const legacy = path.join(cardDir, LEGACY_STATE_FILE);
  if (!fs.existsSync(file) && fs.existsSync(legacy))
    return {
      state: readLegacyState(legacy, cardId, stateKey),
      position: { seq: NO_RECORD, slotSize: MIN_SLOT_BYTES, rewrite: true },
      legacy: true,
    };
  return readStateSlots(file, cardId, stateKey);
}

/**
 * The card's state, after its MAC verifies: the newest valid record of the two slots. A state that
 * was edited in both slots, swapped in from another card or written without a MAC refuses the
 * card: it stays locked until it is personalized again. Reads only; `openCardState` is the card's.
 */
export function readCardState(cardDir: string, cardId: string, stateKey: Uint8Array): CardState {
  return readState(cardDir, cardId, stateKey).state;
}

/** A change's two records, at `seq` + 1 and `seq` + 2 (`seq` the newest on disk): one state twice. */
function recordsAfter(cardId: string, state: CardState, seq: number, stateKey: Uint8Array): string[] {
  const canonical = canonicalState(stateFields(state));
  return [recordOf(cardId, canonical, seq + 1, stateKey), recordOf(cardId, canonical, seq + 2, stateKey)];
}

/** A whole state file of the records after `seq`, in slots sized for them. */
function wholeFile(cardId: string, records: readonly string[], seq: number): Buffer {
  const slotSize = slotSizeFor(Math.max(...records.map((r) => Buffer.byteLength(r))));
  if (slotSize > MAX_SLOT_BYTES)
    throw new PhoneStoreError(`card "${cardId}": its state is too large to keep`);
  return slotsFile(slotSize, seq + 1, records[0], records[1]);
}

/** Write a fresh state, blocking: for personalization, where nothing else waits. */
export function writeCardState(
  cardDir: string,
  cardId: string,
  state: CardState,
  stateKey: Uint8Array,
): void {
  const records = recordsAfter(cardId, state, NO_RECORD, stateKey);
  writeFileAtomic(path.join(cardDir, STATE_FILE), wholeFile(cardId, records, NO_RECORD));
}

export interface OpenedCardState {
  readonly state: CardState;
  /** Makes a state durable (in the phone's writer thread); one at a time (`StateCommit`). */
  readonly write: (state: CardState) => Promise<void>;
  /** Set when one slot was damaged and the other's state was taken: why, naming no card data. */
  readonly damagedSlot?: string;
}

/**
 * The card's state and its writer. A state in the earlier format is converted here, before the
 * card answers anything: the new file is durable, then the old one is removed.
 */
export function openCardState(cardDir: string, cardId: string, stateKey: Uint8Array): OpenedCardState {
  const read = readState(cardDir, cardId, stateKey);
  const file = path.join(cardDir, STATE_FILE);
  const position: StatePosition = { ...read.position };
  if (read.legacy) {
    const whole = wholeFile(cardId, recordsAfter(cardId, read.state, NO_RECORD, stateKey), NO_RECORD);
    writeFileAtomic(file, whole);
    fs.rmSync(path.join(cardDir, LEGACY_STATE_FILE), { force: true });
    Object.assign(position, { seq: NO_RECORD + 2, slotSize: whole.length / 2, rewrite: false });
  }
  const write = async (state: CardState) => {
    const { seq, slotSize } = position;
    const records = recordsAfter(cardId, state, seq, stateKey);
    const fits = !position.rewrite && records.every((r) => Buffer.byteLength(r) <= slotSize);
    const whole = fits ? undefined : wholeFile(cardId, records, seq);
    try {
      if (whole) await writeFileAtomicAsync(file, whole);
      else
        await writeSlotsAsync(
          file,
          records.map((content, i) => ({ offset: ((seq + 1 + i) % 2) * slotSize, content })),
        );
    } catch (e) {
      // Either slot may now be torn, or the file replaced or not: only a whole new file is safe to
      // write next, with sequence numbers above any the failed write may have left.
      position.rewrite = true;
      position.seq = seq + 2;
      throw e;
    }
    position.seq = seq + 2;
    if (whole) Object.assign(position, { slotSize: whole.length / 2, rewrite: false });
  };
  return { state: read.state, write, ...(read.damagedSlot ? { damagedSlot: read.damagedSlot } : {}) };
}
