import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import type { CardState } from "../card/cardData";
import type { RememberedPurchase } from "../card/purchaseMemory";
import { type SlotWrite, stateFiles } from "./atomicFile";
import { canonicalJson, mac } from "./cardSealing";
import {
  canonicalState,
  MIN_SLOT_BYTES,
  openCardState,
  readCardState,
  STATE_FILE,
  writeCardState,
} from "./cardStateFile";

const CARD = "slot-card";
let dir: string;
let key: Buffer;
const file = () => path.join(dir, STATE_FILE);
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-state-"));
  key = randomBytes(32);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const numbered = (n: number, extra: Partial<CardState> = {}): CardState => ({
  pinTriesLeft: 3,
  locked: false,
  lastTransaction: { xid: String(n), merchantName: "m", merID: "x", phase: "completed", at: "2026-01-01" },
  ...extra,
});
const read = () => readCardState(dir, CARD, key);
/** Eight remembered purchases with 6 KB merchant certificates: about 100 KB, more than the smallest slot. */
const bigPurchases = (): RememberedPurchase[] =>
  Array.from({ length: 8 }, (_, n) => ({
    xid: `0${n}`,
    transIDs: "30",
    chall_C: "ab",
    merchantCertificate: "ab".repeat(6000),
    purchAmt: { currency: 840, amount: n, amtExp10: -2 },
    signed: true,
    at: "2026-01-01T00:00:00.000Z",
  }));
const bytes = () => fs.readFileSync(file());
/** Slot i's record as parsed JSON (up to its newline), or undefined when it is not JSON. */
function record(i: number, content: Buffer = bytes()): Record<string, unknown> | undefined {
  const half = content.length / 2;
  const slot = content.subarray(i * half, (i + 1) * half);
  try {
    return JSON.parse(slot.toString("utf8", 0, slot.indexOf(0x0a)));
  } catch {
    return undefined;
  }
}
/** The slot writes of one change, as the writer thread is given them (the write still runs). */
async function slotWritesOf(write: () => Promise<void>): Promise<readonly SlotWrite[]> {
  const spy = jest.spyOn(stateFiles, "write");
  try {
    await write();
    const slots = spy.mock.calls[0][1];
    if (!Array.isArray(slots)) throw new Error("the change replaced the whole file");
    return slots as SlotWrite[];
  } finally {
    spy.mockRestore();
  }
}
/** Overwrite slot i's first bytes (its record) with `content` in place. */
function putSlot(i: number, content: Buffer | string): void {
  const all = bytes();
  Buffer.from(content).copy(all, i * (all.length / 2));
  fs.writeFileSync(file(), all);
}

describe("the card state file: two slots", () => {
  test("a fresh state is in both slots (seq 0 and 1), mode 0600, and reads back", () => {
    writeCardState(dir, CARD, numbered(1), key);
    expect(fs.readdirSync(dir)).toEqual([STATE_FILE]);
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect(bytes().length).toBe(2 * MIN_SLOT_BYTES);
    expect(record(0)).toMatchObject({
      format: "setlab-phone-state/2",
      seq: 0,
      lastTransaction: { xid: "1" },
    });
    expect(record(1)).toMatchObject({
      format: "setlab-phone-state/2",
      seq: 1,
      lastTransaction: { xid: "1" },
    });
    expect(read()).toEqual(numbered(1));
  });

  test("a change is written in place, first into the slot without the newest record, then the other", async () => {
    writeCardState(dir, CARD, numbered(1), key);
    const inode = fs.statSync(file()).ino;
    const opened = openCardState(dir, CARD, key);
    for (let n = 2; n <= 5; n++) {
      const newest = [0, 1].reduce((a, i) => Math.max(a, record(i)?.seq as number), -1);
      const writes = await slotWritesOf(() => opened.write(numbered(n)));
      expect(writes.map((w) => w.offset)).toEqual([
        ((newest + 1) % 2) * MIN_SLOT_BYTES,
        ((newest + 2) % 2) * MIN_SLOT_BYTES,
      ]);
      expect([record(0)?.seq, record(1)?.seq].sort()).toEqual([newest + 1, newest + 2]);
      expect(read()).toEqual(numbered(n));
      expect(record(0)).toMatchObject({ lastTransaction: { xid: String(n) } });
      expect(record(1)).toMatchObject({ lastTransaction: { xid: String(n) } });
    }
    expect(fs.statSync(file()).ino).toBe(inode);
    expect(fs.readdirSync(dir)).toEqual([STATE_FILE]);
  });

  test("its text is the state's canonical JSON, the one the MAC covers with the format, card and seq", async () => {
    const purchases: RememberedPurchase[] = [1, 2].map((n) => ({
      xid: `0${n}`,
      transIDs: "30",
      chall_C: "ab",
      merchantCertificate: "3082",
      purchAmt: { currency: 840, amount: n, amtExp10: -2 },
      signed: n % 2 === 0,
      at: "2026-01-01T00:00:00.000Z",
    }));
    const state = numbered(1, { bciSequence: { Visa: 2 }, purchases });
    // The second call reuses the entries' texts: a stale text would show as a difference here.
    expect(canonicalState(state)).toBe(canonicalJson(state));
    const changed = { ...state, purchases: [purchases[0], { ...purchases[1], completionCode: "success" }] };
    expect(canonicalState(changed)).toBe(canonicalJson(changed));
    writeCardState(dir, CARD, changed, key);
    expect(read()).toEqual(changed);
    const slot0 = record(0) as Record<string, unknown>;
    expect(bytes().toString("utf8")).toContain(canonicalJson(changed).slice(1, -1));
    expect(slot0.mac).toBe(mac(key, `setlab-phone-state/2\n${CARD}\n0`, changed));
  });

  test("either slot damaged alone: the other's state is taken, and the load says which slot", async () => {
    writeCardState(dir, CARD, numbered(1), key);
    await openCardState(dir, CARD, key).write(numbered(2));
    const good = bytes();
    const damages: [string, (i: number) => void][] = [
      [
        "a flipped byte",
        (i) =>
          putSlot(
            i,
            Buffer.from(good.subarray(i * MIN_SLOT_BYTES + 40, i * MIN_SLOT_BYTES + 41).map((b) => b ^ 1)),
          ),
      ],
      ["zeros", (i) => putSlot(i, Buffer.alloc(MIN_SLOT_BYTES))],
      ["no newline", (i) => putSlot(i, Buffer.alloc(MIN_SLOT_BYTES, 0x20))],
    ];
    for (const [, damage] of damages)
      for (const i of [0, 1]) {
        fs.writeFileSync(file(), good);
        damage(i);
        expect(read()).toEqual(numbered(2));
        const opened = openCardState(dir, CARD, key);
        expect(opened.state).toEqual(numbered(2));
        expect(opened.damagedSlot).toMatch(new RegExp(`^slot ${i} `));
        // The next change writes the damaged slot first, then the good one: both are valid again.
        await opened.write(numbered(3));
        expect(openCardState(dir, CARD, key).damagedSlot).toBeUndefined();
        expect(read()).toEqual(numbered(3));
      }
  });

  /** How the slots stand before the change: alike, or different because of a crash or damage. */
  const startingPoints: [string, () => Promise<void>][] = [
    ["both slots alike (at rest)", async () => {}],
    [
      "the change before stopped between its two writes",
      async () => {
        const opened = openCardState(dir, CARD, key);
        const before = bytes();
        const [first] = await slotWritesOf(() => opened.write(numbered(9, { pinTriesLeft: 1 })));
        Buffer.from(first.content).copy(before, first.offset);
        fs.writeFileSync(file(), before);
      },
    ],
    [
      "one slot damaged",
      async () => {
        const newest = (record(0)?.seq as number) > (record(1)?.seq as number) ? 0 : 1;
        putSlot(1 - newest, Buffer.alloc(MIN_SLOT_BYTES));
      },
    ],
  ];
  test.each(startingPoints)(
    "a crash at any byte of a change leaves the state before it or after it, never neither: %s",
    async (_n, start) => {
      writeCardState(dir, CARD, numbered(1, { bciSequence: { Visa: 1 } }), key);
      await openCardState(dir, CARD, key).write(numbered(2));
      await start();
      const opened = openCardState(dir, CARD, key);
      const previous = opened.state;
      const before = bytes();
      const next = numbered(3, { pinTriesLeft: 2 });
      const writes = await slotWritesOf(() => opened.write(next));
      expect(writes.map((w) => w.offset).sort()).toEqual([0, MIN_SLOT_BYTES]);
      const first = Buffer.from(writes[0].content);
      const total = first.length + Buffer.byteLength(writes[1].content);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: total }), (cut) => {
          // The disk holds every byte up to the cut and none after it (a write torn at a sector is
          // a special case of this).
          const disk = Buffer.from(before);
          let left = cut;
          for (const w of writes) {
            const b = Buffer.from(w.content);
            b.subarray(0, Math.min(left, b.length)).copy(disk, w.offset);
            left -= Math.min(left, b.length);
          }
          fs.writeFileSync(file(), disk);
          // Until the first slot's record is whole on disk the change was not durable (the card
          // never answered it); the bytes not yet written may already be the record's own.
          const whole = disk.subarray(writes[0].offset, writes[0].offset + first.length).equals(first);
          expect(read()).toEqual(whole ? next : previous);
        }),
        { numRuns: 150 },
      );
    },
  );

  test("an older record put back into one slot is not taken over the newer one", async () => {
    writeCardState(dir, CARD, numbered(1), key);
    const opened = openCardState(dir, CARD, key);
    await opened.write(numbered(2, { pinTriesLeft: 1 }));
    const old = bytes();
    await opened.write(numbered(3, { pinTriesLeft: 0 }));
    for (const i of [0, 1]) {
      const now = bytes();
      old.subarray(i * MIN_SLOT_BYTES, (i + 1) * MIN_SLOT_BYTES).copy(now, i * MIN_SLOT_BYTES);
      fs.writeFileSync(file(), now);
      expect(read()).toMatchObject({ pinTriesLeft: 0, locked: true });
      await openCardState(dir, CARD, key).write(numbered(3, { pinTriesLeft: 0 }));
    }
  });

  const edits: [string, (s: Record<string, unknown>) => unknown][] = [
    ["PIN tries reset to 3", (s) => ({ ...s, pinTriesLeft: 3 })],
    ["the lock lifted", (s) => ({ ...s, locked: false })],
    ["the last transaction removed", (s) => ({ ...s, lastTransaction: undefined })],
    [
      "the remembered BCI sequenceNum lowered (to take an old BCI again)",
      (s) => ({ ...s, bciSequence: { Visa: 1 } }),
    ],
    ["the remembered BCI sequenceNum removed", (s) => ({ ...s, bciSequence: undefined })],
    ["a higher seq", (s) => ({ ...s, seq: (s.seq as number) + 2 })],
    ["the MAC removed", (s) => ({ ...s, mac: undefined })],
    ["the earlier format's name", (s) => ({ ...s, format: "setlab-phone-state/1" })],
    ["a MAC of other bytes", (s) => ({ ...s, mac: "00".repeat(32) })],
  ];
  test.each(edits)(
    "%s: in one slot, the other slot's state; in both, the card is refused, locked",
    async (_n, edit) => {
      const state = numbered(1, { pinTriesLeft: 1, locked: true, bciSequence: { Visa: 5 } });
      writeCardState(dir, CARD, state, key);
      const editSlot = (i: number) =>
        putSlot(i, `${JSON.stringify(edit(record(i) as Record<string, unknown>))}\n`);
      editSlot(1);
      expect(read()).toEqual({ ...state });
      editSlot(0);
      expect(read).toThrow(/is locked; personalize it again/);
    },
  );

  test("a record moved to the other slot, or the slots swapped, does not count", () => {
    writeCardState(dir, CARD, numbered(1), key);
    const good = bytes();
    const [a, b] = [good.subarray(0, MIN_SLOT_BYTES), good.subarray(MIN_SLOT_BYTES)];
    fs.writeFileSync(file(), Buffer.concat([a, a]));
    expect(openCardState(dir, CARD, key).damagedSlot).toMatch(/^slot 1 is not a card state/);
    fs.writeFileSync(file(), Buffer.concat([b, a]));
    expect(read).toThrow(/is not a card state: card "slot-card" is locked/);
  });

  test("another card's state file does not verify here", () => {
    writeCardState(dir, "other-card", numbered(1), key);
    expect(read).toThrow(/MAC does not verify/);
  });

  test("a counter at zero is a locked card whatever the (MACed) flag says; fields out of range refuse", () => {
    writeCardState(dir, CARD, { pinTriesLeft: 0, locked: false }, key);
    expect(read().locked).toBe(true);
    for (const bad of [
      { pinTriesLeft: 7, locked: false },
      { pinTriesLeft: 3, locked: false, bciSequence: { Visa: -1 } },
      { pinTriesLeft: 3, locked: "no" as unknown as boolean },
    ]) {
      writeCardState(dir, CARD, bad, key);
      expect(read).toThrow(/is not a card state/);
    }
    writeCardState(dir, CARD, { pinTriesLeft: 3, locked: false, bciSequence: { Visa: 4 } }, key);
    expect(read().bciSequence).toEqual({ Visa: 4 });
  });

  test("a file of a size no state file has is refused unread; a missing one names the file", () => {
    writeCardState(dir, CARD, numbered(1), key);
    const good = bytes();
    for (const size of [good.length - 1, 2 * MIN_SLOT_BYTES - 2, 0]) {
      fs.writeFileSync(file(), good.subarray(0, size));
      expect(read).toThrow(/is not a card state/);
    }
    // A sparse file of 64 MB: refused from its size, not read.
    fs.writeFileSync(file(), good);
    fs.truncateSync(file(), 64 * 2 ** 20);
    expect(read).toThrow(/is not a card state/);
    fs.rmSync(file());
    expect(read).toThrow(/cannot read .*state\.slots: ENOENT/);
  });

  test("a symbolic link in place of the file is refused, for reading and for writing", async () => {
    writeCardState(dir, CARD, numbered(1), key);
    const opened = openCardState(dir, CARD, key);
    const elsewhere = path.join(dir, "elsewhere");
    fs.renameSync(file(), elsewhere);
    fs.symlinkSync(elsewhere, file());
    expect(read).toThrow(/cannot read .*: ELOOP/);
    const target = fs.readFileSync(elsewhere);
    await expect(opened.write(numbered(2))).rejects.toMatchObject({ code: "ELOOP" });
    expect(fs.readFileSync(elsewhere)).toEqual(target);
  });

  test("a state too large for its slots replaces the file with larger slots; changes are in place again after", async () => {
    writeCardState(dir, CARD, numbered(1), key);
    const opened = openCardState(dir, CARD, key);
    const big = bigPurchases();
    const write = jest.spyOn(stateFiles, "write");
    try {
      await opened.write(numbered(2, { purchases: big }));
      expect(Array.isArray(write.mock.calls[0][1])).toBe(false);
      expect(bytes().length).toBeGreaterThan(2 * 96_000);
      expect(read()).toEqual(numbered(2, { purchases: big }));
      await opened.write(numbered(3, { purchases: big }));
      expect(Array.isArray(write.mock.calls[1][1])).toBe(true);
      expect(read()).toEqual(numbered(3, { purchases: big }));
      // Smaller again: it fits the larger slots, in place.
      await opened.write(numbered(4));
      expect(Array.isArray(write.mock.calls[2][1])).toBe(true);
      expect(read()).toEqual(numbered(4));
    } finally {
      write.mockRestore();
    }
  });

  test("after a failed write the next change replaces the whole file, and the state reads back", async () => {
    writeCardState(dir, CARD, numbered(1), key);
    const opened = openCardState(dir, CARD, key);
    const write = jest
      .spyOn(stateFiles, "write")
      .mockRejectedValueOnce(Object.assign(new Error("EIO: i/o error"), { code: "EIO" }));
    try {
      await expect(opened.write(numbered(2))).rejects.toThrow(/EIO/);
      expect(read()).toEqual(numbered(1));
      await opened.write(numbered(3));
      expect(Array.isArray(write.mock.calls[1][1])).toBe(false);
      expect(read()).toEqual(numbered(3));
      await opened.write(numbered(4));
      expect(Array.isArray(write.mock.calls[2][1])).toBe(true);
      expect(read()).toEqual(numbered(4));
    } finally {
      write.mockRestore();
    }
  });

  test("a state.json of the earlier format too large for the smallest slots converts into larger ones", async () => {
    const big = bigPurchases();
    const state = numbered(1, { purchases: big });
    fs.writeFileSync(
      path.join(dir, "state.json"),
      `${JSON.stringify({ format: "setlab-phone-state/1", ...state, mac: mac(key, `setlab-phone-state/1\n${CARD}`, state) })}\n`,
    );
    const opened = openCardState(dir, CARD, key);
    expect(bytes().length).toBeGreaterThan(2 * MIN_SLOT_BYTES);
    // The next change, small enough for the smallest slots, goes into these larger ones in place:
    // both slots hold it.
    await opened.write(numbered(2));
    expect(read()).toEqual(numbered(2));
    expect(record(0)).toMatchObject({ lastTransaction: { xid: "2" } });
    expect(record(1)).toMatchObject({ lastTransaction: { xid: "2" } });
  });

  test("a state.json of the earlier format is read once and converted; altered, it refuses", () => {
    const legacy = path.join(dir, "state.json");
    const state = numbered(7, { pinTriesLeft: 2, bciSequence: { Visa: 3 } });
    const legacyFile = (s: CardState, macHex: string) =>
      `${JSON.stringify({ format: "setlab-phone-state/1", ...s, mac: macHex })}\n`;
    fs.writeFileSync(
      legacy,
      legacyFile({ ...state, pinTriesLeft: 3 }, mac(key, `setlab-phone-state/1\n${CARD}`, state)),
    );
    expect(read).toThrow(/state\.json was altered on disk/);
    fs.writeFileSync(legacy, legacyFile(state, mac(key, `setlab-phone-state/1\n${CARD}`, state)));
    expect(read()).toEqual(state);
    // Larger than any state (valid JSON, padded): refused from its size, not read.
    const text = fs.readFileSync(legacy, "utf8");
    fs.writeFileSync(legacy, text + " ".repeat(5 * 2 ** 20));
    expect(read).toThrow(/state\.json is not a card state/);
    fs.writeFileSync(legacy, text);
    const opened = openCardState(dir, CARD, key);
    expect(opened.state).toEqual(state);
    expect(fs.readdirSync(dir)).toEqual([STATE_FILE]);
    expect(read()).toEqual(state);
  });
});
