import * as fs from "node:fs";
import * as path from "node:path";
import { INS, peculiarProvider, SW } from "@setlab/protocol";
import type { CardState } from "../card/cardData";
import {
  CARD_ID,
  type CardFixture,
  cardFixture,
  contains,
  expectSw,
  PAN,
  PAN_SECRET,
  PIN,
} from "../card/cardFixture.test-helper";
import { stateFiles } from "./atomicFile";
import { defaultKdf } from "./cardSealing";
import { readCardState } from "./cardStateFile";
import { listCards, loadCard, openCardFile, PhoneStoreError } from "./cardStore";

let f: CardFixture;
beforeEach(async () => {
  f = await cardFixture();
});
afterEach(() => f.cleanup());

const dir = () => path.join(f.dataDir, "cards", CARD_ID);
const stateFile = () => path.join(dir(), "state.slots");
const cardFile = () => path.join(dir(), "card.json");
const stateKey = () => openCardFile(f.dataDir, CARD_ID, "setlab").keys.stateKey;
const p = peculiarProvider();

/** Every file under the phone's data directory, as bytes. */
function allFiles(root: string): Buffer[] {
  const out: Buffer[] = [];
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, e.name);
    if (e.isDirectory()) out.push(...allFiles(full));
    else out.push(fs.readFileSync(full));
  }
  return out;
}

describe("the phone's card store", () => {
  test("lists personalized cards; the key is non-extractable; a reload gives the same card", async () => {
    expect(listCards(f.dataDir)).toEqual([CARD_ID]);
    expect(f.card.privateKey.extractable).toBe(false);
    await expect(peculiarProvider().crypto.subtle.exportKey("pkcs8", f.card.privateKey)).rejects.toThrow();
    const again = await loadCard(p, f.dataDir, CARD_ID, "setlab");
    expect(again.data).toEqual(f.card.data);
    expect(again.data.pan).toBe(PAN);
    expect(again.data.panSecret).toEqual(PAN_SECRET);
    expect(again.data.gatewayThumbs).toHaveLength(1);
  });

  test("no file holds the PAN, PANSecret, CardSecret, PIN or PIN reference in clear", () => {
    const { data } = openCardFile(f.dataDir, CARD_ID, "setlab");
    const needles = [
      PAN,
      PAN.slice(6),
      Buffer.from(PAN_SECRET).toString("hex"),
      Buffer.from(PAN_SECRET).toString("base64"),
      Buffer.from(data.cardSecret).toString("hex"),
      Buffer.from(data.cardSecret).toString("base64"),
      Buffer.from(data.pinDigest).toString("hex"),
      Buffer.from(data.pinDigest).toString("base64"),
      `"${PIN}"`,
    ];
    for (const file of allFiles(f.dataDir))
      for (const n of needles) expect(contains(file, new TextEncoder().encode(n))).toBe(false);
    for (const raw of [PAN_SECRET, data.cardSecret])
      for (const file of allFiles(f.dataDir)) expect(contains(file, raw)).toBe(false);
    const onDisk = JSON.parse(fs.readFileSync(cardFile(), "utf8"));
    expect(Object.keys(onDisk).sort()).toEqual(["cardId", "format", "kdf", "sealed"]);
    expect(onDisk.kdf).toMatchObject({ name: "scrypt", r: 8, p: 1 });
    expect(defaultKdf().N).toBe(2 ** 15);
  });

  test("a wrong passphrase refuses, naming no card data", async () => {
    const e = await loadCard(p, f.dataDir, CARD_ID, "wrong").catch((x: Error) => x);
    expect(e).toBeInstanceOf(PhoneStoreError);
    expect((e as Error).message).toMatch(/wrong passphrase/);
    expect((e as Error).message).not.toContain(PAN);
    await expect(loadCard(p, f.dataDir, "../etc")).rejects.toThrow(/not a valid card id/);
  });

  test("the passphrase comes from SETLAB_PASSPHRASE when it is set", async () => {
    const saved = process.env.SETLAB_PASSPHRASE;
    process.env.SETLAB_PASSPHRASE = "another passphrase";
    try {
      await expect(loadCard(p, f.dataDir, CARD_ID)).rejects.toThrow(/wrong passphrase/);
    } finally {
      if (saved === undefined) delete process.env.SETLAB_PASSPHRASE;
      else process.env.SETLAB_PASSPHRASE = saved;
    }
    await expect(loadCard(p, f.dataDir, CARD_ID)).resolves.toBeDefined();
  });

  const cardEdits: [string, (c: Record<string, any>) => Record<string, unknown>][] = [
    [
      "a flipped byte of the sealed data",
      (c) => {
        const b = Buffer.from(c.sealed.data, "base64");
        b[5] ^= 1;
        return { ...c, sealed: { ...c.sealed, data: b.toString("base64") } };
      },
    ],
    [
      "a flipped byte of the tag",
      (c) => {
        const b = Buffer.from(c.sealed.data, "base64");
        b[b.length - 1] ^= 1;
        return { ...c, sealed: { ...c.sealed, data: b.toString("base64") } };
      },
    ],
    ["another IV", (c) => ({ ...c, sealed: { ...c.sealed, iv: Buffer.alloc(12).toString("base64") } })],
    ["another salt", (c) => ({ ...c, kdf: { ...c.kdf, salt: Buffer.alloc(16, 1).toString("base64") } })],
  ];
  test.each(cardEdits)("card.json with %s refuses: wrong passphrase or altered", async (_n, edit) => {
    const c = JSON.parse(fs.readFileSync(cardFile(), "utf8"));
    fs.writeFileSync(cardFile(), JSON.stringify(edit(c)));
    await expect(loadCard(p, f.dataDir, CARD_ID)).rejects.toThrow(
      /wrong passphrase, or the file was altered/,
    );
  });

  test("card.json moved to another card id, or in another format, refuses", async () => {
    const c = JSON.parse(fs.readFileSync(cardFile(), "utf8"));
    const other = path.join(f.dataDir, "cards", "other-card");
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, "card.json"), JSON.stringify({ ...c, cardId: "other-card" }));
    await expect(loadCard(p, f.dataDir, "other-card")).rejects.toThrow(/altered/);
    for (const bad of [{ ...c, format: "other" }, { ...c, kdf: { ...c.kdf, N: 2 ** 30 } }, [], "x"]) {
      fs.writeFileSync(cardFile(), JSON.stringify(bad));
      await expect(loadCard(p, f.dataDir, CARD_ID)).rejects.toThrow(/is not a setlab-phone-card\/2 card/);
    }
  });

  test("an old clear-text card.json is refused with a re-personalize message", async () => {
    fs.writeFileSync(
      cardFile(),
      JSON.stringify({ format: "setlab-phone-card/1", cardId: CARD_ID, pan: PAN, panSecret: "00" }),
    );
    const e = await loadCard(p, f.dataDir, CARD_ID).catch((x: Error) => x);
    expect(e).toBeInstanceOf(PhoneStoreError);
    expect((e as Error).message).toMatch(/in clear .*personalize the card again/);
    expect((e as Error).message).not.toContain(PAN);
  });

  test("state writes leave only the card's three files, each 0600", async () => {
    await f.card.persist({ pinTriesLeft: 2, locked: false });
    expect(fs.readdirSync(dir()).sort()).toEqual(["card.json", "key.pem", "state.slots"]);
    for (const name of fs.readdirSync(dir()))
      expect(fs.statSync(path.join(dir(), name)).mode & 0o777).toBe(0o600);
    expect(readCardState(dir(), CARD_ID, stateKey()).pinTriesLeft).toBe(2);
  });

  test("a state file damaged in both slots refuses the card; in one slot, the load is told which", async () => {
    await f.card.persist({ pinTriesLeft: 1, locked: false });
    const good = fs.readFileSync(stateFile());
    const half = good.length / 2;
    const damaged = Buffer.from(good);
    damaged.fill(0, half);
    fs.writeFileSync(stateFile(), damaged);
    const told: [string, string][] = [];
    const card = await loadCard(p, f.dataDir, CARD_ID, "setlab", (id, why) => told.push([id, why]));
    expect(card.state.pinTriesLeft).toBe(1);
    expect(told).toEqual([[CARD_ID, "slot 1 holds no record"]]);
    damaged.fill(0, 0, half);
    fs.writeFileSync(stateFile(), damaged);
    const e = await loadCard(p, f.dataDir, CARD_ID, "setlab").catch((x: Error) => x);
    expect(e).toBeInstanceOf(PhoneStoreError);
    expect((e as Error).message).toMatch(
      /state\.slots holds no record: card "[^"]+" is locked; personalize it again/,
    );
  });

  const numbered = (n: number): CardState => ({
    pinTriesLeft: 3,
    locked: false,
    lastTransaction: { xid: String(n), merchantName: "m", merID: "x", phase: "completed", at: "2026-01-01" },
  });
  const onDisk = () => Number(readCardState(dir(), CARD_ID, stateKey()).lastTransaction?.xid);
  const stateWrites = (spy: jest.SpyInstance) =>
    spy.mock.calls.filter(([file]) => String(file) === stateFile()).length;

  test("concurrent state changes of a card are written together; each resolves once its state is durable", async () => {
    const write = jest.spyOn(stateFiles, "write");
    try {
      const seen: [number, number][] = [];
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          f.card.persist(numbered(i + 1)).then(() => seen.push([i + 1, onDisk()])),
        ),
      );
      expect(seen).toHaveLength(12);
      for (const [n, durable] of seen) expect(durable).toBeGreaterThanOrEqual(n);
      expect(onDisk()).toBe(12);
      const writes = stateWrites(write);
      expect(writes).toBeGreaterThanOrEqual(1);
      expect(writes).toBeLessThan(12);
      expect(fs.readdirSync(dir()).sort()).toEqual(["card.json", "key.pem", "state.slots"]);
    } finally {
      write.mockRestore();
    }
  });

  test("a state write that fails rejects its callers and leaves the last durable state readable", async () => {
    await f.card.persist(numbered(1));
    const write = jest
      .spyOn(stateFiles, "write")
      .mockRejectedValueOnce(Object.assign(new Error("EIO: i/o error"), { code: "EIO" }));
    try {
      const failed = f.card.persist(numbered(2));
      await expect(failed).rejects.toThrow(/EIO/);
      expect(onDisk()).toBe(1);
      expect(fs.readdirSync(dir()).sort()).toEqual(["card.json", "key.pem", "state.slots"]);
      await f.card.persist(numbered(3));
      expect(onDisk()).toBe(3);
    } finally {
      write.mockRestore();
    }
  });

  test("a wrong PIN answers only after the lowered counter is on disk", async () => {
    expectSw(await f.send(INS.SELECT, CARD_ID), SW.OK);
    const write = jest
      .spyOn(stateFiles, "write")
      .mockRejectedValueOnce(Object.assign(new Error("EIO: i/o error"), { code: "EIO" }));
    try {
      const answer = await f.send(INS.VERIFY_PIN, "0000");
      // No verdict (63Cx) when the counter could not be written.
      expect(answer.sw & 0xfff0).not.toBe(0x63c0);
      expect(answer.sw).not.toBe(SW.OK);
    } finally {
      write.mockRestore();
    }
    expect(readCardState(dir(), CARD_ID, stateKey()).pinTriesLeft).toBe(3);
    // The failed write gave no free try: the card counts on from the lowered counter.
    expectSw(await f.send(INS.VERIFY_PIN, "0000"), 0x63c1);
    expect(readCardState(dir(), CARD_ID, stateKey()).pinTriesLeft).toBe(1);
  });

  test("round trip: a wrong PIN, a restart, the counter kept; the right PIN resets it", async () => {
    expectSw(await f.send(INS.SELECT, CARD_ID), SW.OK);
    expectSw(await f.send(INS.VERIFY_PIN, "0000"), 0x63c2);
    await f.restart();
    expect(f.card.state.pinTriesLeft).toBe(2);
    expectSw(await f.send(INS.SELECT, CARD_ID), SW.OK);
    expectSw(await f.send(INS.VERIFY_PIN, PIN), SW.OK);
    await f.restart();
    expect(f.card.state.pinTriesLeft).toBe(3);
  });
});
