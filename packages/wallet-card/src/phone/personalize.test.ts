/**
 * Personalization from a real `set-ca init` directory: the card's data sealed under the
 * passphrase, the brand's gateway pinned, and nothing secret in any file of the phone even after
 * a purchase.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  type CardResponse,
  decodeCardData,
  decodeResponse,
  encodeCardData,
  encodeCommand,
  INS,
  nodeProvider,
  parseSetCertificate,
  peculiarProvider,
  SW,
  thumbOf,
} from "@setlab/protocol";
import { LabPki, LabPkiError } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import { CardApplet } from "../card/applet";
import { autoApprove } from "../card/confirmation";
import { MerchantDouble } from "../card/merchantDouble.test-helper";
import { loadCard, openCardFile, PhoneStoreError } from "./cardStore";
import { personalize } from "./personalize";

const PIN = "80417329";
const utf8 = (s: string) => new TextEncoder().encode(s);

let tmp: string;
let pki: LabPki;
let dataDir: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-personalize-"));
  seedLabPki(path.join(tmp, "pki"));
  pki = LabPki.open(path.join(tmp, "pki"));
}, 120_000);

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(tmp, "phone-"));
  await personalize(pki, dataDir, { cards: ["visa-approve", "mc-approve"], pin: PIN });
}, 60_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every file under a directory, as bytes. */
function allFiles(dir: string): { name: string; bytes: Buffer }[] {
  const out: { name: string; bytes: Buffer }[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(full));
    else out.push({ name: full, bytes: fs.readFileSync(full) });
  }
  return out;
}

/** No file of the phone holds the card's account data, secrets, PIN or PIN reference. */
function expectNothingInClear(cardId: string) {
  const account = pki.cards()[cardId];
  const { data } = openCardFile(dataDir, cardId);
  const encodings = (b: Uint8Array) => [Buffer.from(b).toString("hex"), Buffer.from(b).toString("base64"), b];
  const needles: (string | Uint8Array)[] = [
    account.pan,
    account.pan.slice(6),
    account.panSecret,
    ...encodings(data.panSecret),
    ...encodings(data.cardSecret),
    ...encodings(data.pinDigest),
    PIN,
  ];
  const files = allFiles(dataDir);
  expect(files.length).toBeGreaterThanOrEqual(6);
  for (const { name, bytes } of files)
    for (const n of needles) {
      const found = bytes.includes(typeof n === "string" ? Buffer.from(n) : Buffer.from(n));
      if (found) throw new Error(`${name} holds card data in clear`);
    }
}

async function purchaseOnce(cardId: string, gatewayKexId: string, profile: "set" | "hardened") {
  const p = peculiarProvider();
  const np = nodeProvider();
  const card = await loadCard(p, dataDir, cardId);
  const session = new CardApplet([card], { p, confirm: autoApprove }).openSession();
  const send = async (ins: number, data?: Uint8Array): Promise<CardResponse> =>
    decodeResponse(await session.transmit(encodeCommand({ ins, data })));
  const merchant = new MerchantDouble(np, {
    signer: {
      certificate: pki.certificate("visa/merchant/signature"),
      privateKey: await pki.privateKey("visa/merchant/signature", "signature", np),
      chain: pki.chain("visa/merchant/signature"),
    },
    gatewayKex: { certificate: pki.certificate(gatewayKexId), chain: pki.chain(gatewayKexId) },
    root: pki.root(),
    revocation: { bci: pki.bci("Visa")!, crls: pki.crls() },
  });
  expect((await send(INS.SELECT, utf8(cardId))).sw).toBe(SW.OK);
  expect((await send(INS.VERIFY_PIN, utf8(PIN))).sw).toBe(SW.OK);
  const req = await send(
    INS.PINIT_REQUEST,
    encodeCardData("PInitRequestInput", { brand: "Visa", lidM: "order-1" }),
  );
  expect((await send(INS.PINIT_RESPONSE, await merchant.pInitRes(req.data))).sw).toBe(SW.OK);
  const od = utf8("1 x tea");
  const purchAmt = { currency: 392, amount: 700, amtExp10: 0 };
  const pReq = await send(
    INS.PURCHASE,
    encodeCardData("PurchaseInput", { od, purchAmt, profile, form: "dualSigned" }),
  );
  if (pReq.sw !== SW.OK) return pReq;
  const { verified } = await merchant.verifyPReq(pReq.data, { od, purchAmt });
  const done = await send(
    INS.PURCHASE_RESPONSE,
    await merchant.pRes(verified.oiData, { completionCode: "orderReceived" }),
  );
  expect(done.sw).toBe(SW.OK);
  return done;
}

describe("personalize", () => {
  test("each card pins its own brand's gateway key-exchange certificate, and only it", async () => {
    const p = nodeProvider();
    const thumb = async (id: string) => thumbOf(p, parseSetCertificate(pki.certificate(id)));
    expect(openCardFile(dataDir, "visa-approve").data.gatewayThumbs).toEqual([
      await thumb("visa/gateway/key-exchange"),
    ]);
    expect(openCardFile(dataDir, "mc-approve").data.gatewayThumbs).toEqual([
      await thumb("mastercard/gateway/key-exchange"),
    ]);
  });

  test("one run seals its cards under one salt (one scrypt when the phone opens them), the next run draws another; files are 0600; the key is re-encrypted PKCS#8", async () => {
    const saltOf = (dir: string, id: string) =>
      JSON.parse(fs.readFileSync(path.join(dir, "cards", id, "card.json"), "utf8")).kdf.salt as string;
    expect(saltOf(dataDir, "visa-approve")).toBe(saltOf(dataDir, "mc-approve"));
    const later = fs.mkdtempSync(path.join(tmp, "phone-"));
    await personalize(pki, later, { cards: ["visa-approve"], pin: PIN });
    expect(saltOf(later, "visa-approve")).not.toBe(saltOf(dataDir, "visa-approve"));
    for (const { name } of allFiles(dataDir)) expect(fs.statSync(name).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dataDir, "cards", "visa-approve", "key.pem"), "utf8")).toContain(
      "BEGIN ENCRYPTED PRIVATE KEY",
    );
  });

  test("under the run's one key, a card's files copied to the other card are refused: its card id is in the sealed header and the state's MAC", async () => {
    const cardDir = (id: string) => path.join(dataDir, "cards", id);
    // card.json: with its own card id it is not the other card's; renamed, its sealed header does not match.
    const visaCard = JSON.parse(fs.readFileSync(path.join(cardDir("visa-approve"), "card.json"), "utf8"));
    const mcCard = path.join(cardDir("mc-approve"), "card.json");
    const mcOriginal = fs.readFileSync(mcCard);
    fs.writeFileSync(mcCard, JSON.stringify(visaCard));
    await expect(loadCard(peculiarProvider(), dataDir, "mc-approve")).rejects.toThrow(
      /is not a setlab-phone-card/,
    );
    fs.writeFileSync(mcCard, JSON.stringify({ ...visaCard, cardId: "mc-approve" }));
    await expect(loadCard(peculiarProvider(), dataDir, "mc-approve")).rejects.toThrow(
      /wrong passphrase, or the file was altered/,
    );
    // state.slots: the MAC is labelled with the card id.
    fs.writeFileSync(mcCard, mcOriginal);
    fs.copyFileSync(
      path.join(cardDir("visa-approve"), "state.slots"),
      path.join(cardDir("mc-approve"), "state.slots"),
    );
    await expect(loadCard(peculiarProvider(), dataDir, "mc-approve")).rejects.toThrow(/MAC does not verify/);
    // Negative control: the card's own files open.
    expect((await loadCard(peculiarProvider(), dataDir, "visa-approve")).data.brand).toBe("Visa");
  });

  test("after personalization and after a hardened purchase no file holds PAN, PANSecret, CardSecret or PIN", async () => {
    expectNothingInClear("visa-approve");
    expectNothingInClear("mc-approve");
    const done = await purchaseOnce("visa-approve", "visa/gateway/key-exchange", "hardened");
    expect(decodeCardData("PurchaseOutcome", done.data)).toEqual({
      type: "pRes",
      value: { completionCode: "orderReceived" },
    });
    expectNothingInClear("visa-approve");
    const again = await loadCard(peculiarProvider(), dataDir, "visa-approve");
    expect(again.state.lastTransaction).toMatchObject({
      phase: "completed",
      completionCode: "orderReceived",
    });
  }, 60_000);

  test("the lab's accomplice gateway (valid, Visa-certified, not pinned) is refused by a personalized card whatever profile is asked", async () => {
    for (const profile of ["hardened", "set"] as const) {
      const refused = await purchaseOnce(
        "visa-approve",
        "attack/visa/accomplice-gateway/key-exchange",
        profile,
      );
      expect(refused.sw).toBe(SW.SET_CHECK_FAILED);
      expect(decodeCardData("SetCheckFailure", refused.data).errorCode).toBe("thumbsMismatch");
    }
  }, 60_000);

  test("another passphrase seals the card and its key; the default then refuses; a wrong PKI passphrase is a LabPkiError", async () => {
    const other = fs.mkdtempSync(path.join(tmp, "phone-"));
    await personalize(pki, other, { cards: ["visa-approve"], pin: PIN, passphrase: "correct horse" });
    await expect(loadCard(peculiarProvider(), other, "visa-approve")).rejects.toBeInstanceOf(PhoneStoreError);
    const card = await loadCard(peculiarProvider(), other, "visa-approve", "correct horse");
    expect(card.data.brand).toBe("Visa");
    const keyPem = fs.readFileSync(path.join(other, "cards", "visa-approve", "key.pem"), "utf8");
    const nodeCrypto = await import("node:crypto");
    expect(() => nodeCrypto.createPrivateKey({ key: keyPem, format: "pem", passphrase: "setlab" })).toThrow();
    await expect(
      personalize(pki, fs.mkdtempSync(path.join(tmp, "phone-")), {
        cards: ["visa-approve"],
        pkiPassphrase: "nope",
      }),
    ).rejects.toBeInstanceOf(LabPkiError);
  }, 60_000);
});
