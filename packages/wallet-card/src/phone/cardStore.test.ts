import * as fs from "node:fs";
import * as path from "node:path";
import { peculiarProvider } from "@setlab/protocol";
import { CARD_ID, type CardFixture, cardFixture } from "../card/cardFixture.test-helper";
import { listCards, loadCard, PhoneStoreError, readCardState } from "./cardStore";

let f: CardFixture;
beforeEach(async () => {
  f = await cardFixture();
});
afterEach(() => f.cleanup());

const stateFile = () => path.join(f.dataDir, "cards", CARD_ID, "state.json");

describe("the phone's card store", () => {
  test("lists personalized cards; the key is non-extractable", async () => {
    expect(listCards(f.dataDir)).toEqual([CARD_ID]);
    expect(f.card.privateKey.extractable).toBe(false);
    await expect(peculiarProvider().crypto.subtle.exportKey("pkcs8", f.card.privateKey)).rejects.toThrow();
  });

  test("a counter at zero is a locked card whatever the flag says", () => {
    fs.writeFileSync(stateFile(), JSON.stringify({ pinTriesLeft: 0, locked: false }));
    expect(readCardState(f.dataDir, CARD_ID).locked).toBe(true);
  });

  test.each([
    ["{"],
    [JSON.stringify({ pinTriesLeft: 7, locked: false })],
    [JSON.stringify({ pinTriesLeft: 2 })],
  ])("a damaged state file (%s) refuses to load the card", async (content) => {
    fs.writeFileSync(stateFile(), content);
    await expect(loadCard(peculiarProvider(), f.dataDir, CARD_ID)).rejects.toBeInstanceOf(PhoneStoreError);
  });

  test("a wrong passphrase, a damaged card file or a bad card id refuses to load, without card data in the error", async () => {
    const p = peculiarProvider();
    await expect(loadCard(p, f.dataDir, CARD_ID, "wrong")).rejects.toThrow(/wrong passphrase/);
    await expect(loadCard(p, f.dataDir, "../etc")).rejects.toThrow(/not a valid card id/);
    const cardFile = path.join(f.dataDir, "cards", CARD_ID, "card.json");
    const card = JSON.parse(fs.readFileSync(cardFile, "utf8"));
    fs.writeFileSync(cardFile, JSON.stringify({ ...card, format: "other" }));
    const e = await loadCard(p, f.dataDir, CARD_ID).catch((x: Error) => x);
    expect(e).toBeInstanceOf(PhoneStoreError);
    expect((e as Error).message).not.toContain(card.pan);
  });

  test("state writes are atomic: no temporary file is left behind", async () => {
    await f.card.persist({ pinTriesLeft: 2, locked: false });
    expect(fs.readdirSync(path.dirname(stateFile())).sort()).toEqual(["card.json", "key.pem", "state.json"]);
    expect(readCardState(f.dataDir, CARD_ID).pinTriesLeft).toBe(2);
  });
});
