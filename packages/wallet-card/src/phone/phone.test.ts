/**
 * The phone as a process: `set-phone personalize` from a real `set-ca init` directory, then
 * `set-phone serve` on loopback, driven over TCP with the card-link codec.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  decodeCardData,
  encodeCardData,
  encodeFrame,
  FrameReader,
  INS,
  nodeProvider,
  SW,
} from "@setlab/protocol";
import { PcCardLink } from "@setlab/protocol/card-link";
import { LabPki, type StartedParty, startParty } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import { MerchantDouble } from "../card/merchantDouble.test-helper";

const root = path.resolve(__dirname, "../../../..");
const phoneCli = path.join(root, "packages/wallet-card/dist/cli.js");
const utf8 = (s: string) => new TextEncoder().encode(s);

let tmp: string;
let pkiDir: string;
let dataDir: string;
let phone: StartedParty;
let port: number;
const pairingCode = "424242";
const link = { pairingCode };

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-phone-proc-"));
  pkiDir = path.join(tmp, "pki");
  dataDir = path.join(tmp, "phone");
  seedLabPki(pkiDir);
  const out = execFileSync(process.execPath, [
    phoneCli,
    "personalize",
    "--pki",
    pkiDir,
    "--data",
    dataDir,
    "--cards",
    "visa-approve,mc-approve",
  ]).toString();
  expect(JSON.parse(out)).toMatchObject({ event: "personalized", cards: ["visa-approve", "mc-approve"] });
  phone = await startParty(phoneCli, [
    "serve",
    "--data",
    dataDir,
    "--port",
    "0",
    "--confirm",
    "auto",
    "--pairing-code",
    pairingCode,
  ]);
  port = Number(new URL(phone.url.replace("tcp:", "http:")).port);
}, 240_000);

afterAll(async () => {
  await phone?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("set-phone personalize", () => {
  test("writes each card's files with mode 0600 and the key as the encrypted PEM it was issued as", () => {
    const dir = path.join(dataDir, "cards", "visa-approve");
    for (const f of ["card.json", "state.slots", "key.pem"])
      expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, "key.pem"), "utf8")).toContain("BEGIN ENCRYPTED PRIVATE KEY");
    // Both slots hold the fresh state, each a line of JSON at the start of its half of the file.
    const slots = fs.readFileSync(path.join(dir, "state.slots"));
    const half = slots.length / 2;
    for (const [i, slot] of [slots.subarray(0, half), slots.subarray(half)].entries())
      expect(JSON.parse(slot.toString("utf8", 0, slot.indexOf(0x0a)))).toMatchObject({
        format: "setlab-phone-state/2",
        seq: i,
        pinTriesLeft: 3,
        locked: false,
      });
    expect(fs.existsSync(path.join(dataDir, "cards", "visa-nsf"))).toBe(false);
  });

  test("an unknown card, a bad PIN or a missing PKI is a one-line failure", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [phoneCli, ...args], { encoding: "utf8" });
    const unknown = run("personalize", "--pki", pkiDir, "--data", path.join(tmp, "x"), "--cards", "nope");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no card "nope"/);
    const badPin = run("personalize", "--pki", pkiDir, "--data", path.join(tmp, "x"), "--pin", "12");
    expect(badPin.status).toBe(2);
    const noPki = run("personalize", "--pki", path.join(tmp, "none"), "--data", path.join(tmp, "x"));
    expect(noPki.status).toBe(1);
    expect(noPki.stderr.trim().split("\n")).toHaveLength(1);
    expect(run("serve").status).toBe(2);
    const empty = run("serve", "--data", path.join(tmp, "empty"));
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/no personalized card/);
  });

  test("the PIN from SETLAB_PIN; the pairing code only from an owner-only file, never shown in an error", () => {
    const run = (env: NodeJS.ProcessEnv, ...args: string[]) =>
      spawnSync(process.execPath, [phoneCli, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
    const badPin = run({ SETLAB_PIN: "12" }, "personalize", "--pki", pkiDir, "--data", path.join(tmp, "y"));
    expect(badPin.status).toBe(2);
    expect(badPin.stderr).toMatch(/SETLAB_PIN must be 4 to 12 digits/);
    const codeFile = path.join(tmp, "code");
    fs.writeFileSync(codeFile, "135790\n", { mode: 0o644 });
    fs.chmodSync(codeFile, 0o644);
    const loose = run({}, "serve", "--data", dataDir, "--pairing-code-file", codeFile);
    expect(loose.status).toBe(1);
    expect(loose.stderr).toMatch(/pairing code file .* is open to others \(mode 644\); chmod 600 it/);
    expect(loose.stderr).not.toContain("135790");
    fs.chmodSync(codeFile, 0o600);
    fs.writeFileSync(codeFile, "13579x\n");
    const notDigits = run({}, "serve", "--data", dataDir, "--pairing-code-file", codeFile);
    expect(notDigits.status).toBe(2);
    expect(notDigits.stderr).toMatch(/must hold 6 digits/);
    const both = run(
      {},
      "serve",
      "--data",
      dataDir,
      "--pairing-code-file",
      codeFile,
      "--pairing-code",
      "135790",
    );
    expect(both.status).toBe(2);
    const missing = run({}, "serve", "--data", dataDir, "--pairing-code-file", path.join(tmp, "none"));
    expect(missing.status).toBe(1);
    expect(run({}, "serve", "--data", dataDir, "--max-connections", "0").status).toBe(2);
    expect(run({}, "serve", "--data", dataDir, "--frame-timeout", "x").status).toBe(2);
  });
});

describe("set-phone serve", () => {
  test("its bond store takes the cards' scrypt parameters: one derivation at start serves both", () => {
    const kdfOf = (file: string) => (JSON.parse(fs.readFileSync(file, "utf8")) as { kdf: unknown }).kdf;
    const cardKdf = kdfOf(path.join(dataDir, "cards", "visa-approve", "card.json"));
    expect(cardKdf).toEqual(kdfOf(path.join(dataDir, "cards", "mc-approve", "card.json")));
    expect(kdfOf(path.join(dataDir, "bonds", "store.json"))).toEqual(cardKdf);
  });

  test("a whole card-side purchase over TCP, checked by a merchant with the lab's keys", async () => {
    const pki = LabPki.open(pkiDir);
    const p = nodeProvider();
    const merchant = new MerchantDouble(p, {
      signer: {
        certificate: pki.certificate("visa/merchant/signature"),
        privateKey: await pki.privateKey("visa/merchant/signature", "signature", p),
        chain: pki.chain("visa/merchant/signature"),
      },
      gatewayKex: {
        certificate: pki.certificate("visa/gateway/key-exchange"),
        chain: pki.chain("visa/gateway/key-exchange"),
      },
      root: pki.root(),
      revocation: { bci: pki.bci("Visa")!, crls: pki.crls() },
    });
    const client = await PcCardLink.connect("127.0.0.1", port, link);
    try {
      const sel = await client.transmit({ ins: INS.SELECT, data: utf8("visa-approve") });
      expect(sel.sw).toBe(SW.OK);
      expect(decodeCardData("SelectAnswer", sel.data)).toEqual({
        brand: "Visa",
        bin: "411111",
        language: "en",
      });
      expect((await client.transmit({ ins: INS.VERIFY_PIN, data: utf8("1234") })).sw).toBe(SW.OK);
      const req = await client.transmit({
        ins: INS.PINIT_REQUEST,
        data: encodeCardData("PInitRequestInput", { brand: "Visa", lidM: "order-1" }),
      });
      expect(req.sw).toBe(SW.OK);
      const init = await client.transmit({
        ins: INS.PINIT_RESPONSE,
        data: await merchant.pInitRes(req.data),
      });
      expect(init.sw).toBe(SW.OK);
      const od = utf8("2 x tea");
      const purchAmt = { currency: 392, amount: 500, amtExp10: 0 };
      const preq = await client.transmit({
        ins: INS.PURCHASE,
        data: encodeCardData("PurchaseInput", { od, purchAmt, profile: "set", form: "dualSigned" }),
      });
      expect(preq.sw).toBe(SW.OK);
      const { verified } = await merchant.verifyPReq(preq.data, { od, purchAmt });
      expect(Buffer.from(preq.data).includes(Buffer.from(pki.cards()["visa-approve"].pan))).toBe(false);
      const pres = await merchant.pRes(verified.oiData, { completionCode: "orderReceived" });
      const done = await client.transmit({ ins: INS.PURCHASE_RESPONSE, data: pres });
      expect(done.sw).toBe(SW.OK);
      expect(decodeCardData("PurchaseOutcome", done.data)).toEqual({
        type: "pRes",
        value: { completionCode: "orderReceived" },
      });
    } finally {
      await client.close();
    }
    // the phone logs the session's summary once it sees the connection closed
    for (let i = 0; i < 200 && !phone.stderr().includes('"msg":"card link closed"'); i++)
      await new Promise((r) => setTimeout(r, 25));
    const logs = phone.stderr();
    const summary = logs
      .split("\n")
      .filter((l) => l.includes('"msg":"card session"'))
      .map((l) => JSON.parse(l) as { commands: string[] });
    expect(summary).toHaveLength(1);
    expect(summary[0].commands).toContain("PURCHASE_RESPONSE 9000");
    expect(logs).not.toContain(pki.cards()["visa-approve"].pan);
    expect(logs).not.toContain(`"1234"`);
  });

  test("sessions are separate: a second connection starts unselected", async () => {
    const a = await PcCardLink.connect("127.0.0.1", port, link);
    const b = await PcCardLink.connect("127.0.0.1", port, link);
    try {
      expect((await a.transmit({ ins: INS.SELECT, data: utf8("mc-approve") })).sw).toBe(SW.OK);
      expect((await b.transmit({ ins: INS.GET_STATUS })).sw).toBe(SW.OUT_OF_ORDER);
      expect((await b.transmit({ ins: INS.SELECT, data: utf8("visa-nsf") })).sw).toBe(SW.NO_SUCH_CARD);
    } finally {
      await a.close();
      await b.close();
    }
  });

  /** Raw socket: write bytes, collect response frames until the server closes or `frames` arrived. */
  function raw(
    bytes: Uint8Array,
    frames: number,
    end = false,
  ): Promise<{ frames: Uint8Array[]; closed: boolean }> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host: "127.0.0.1", port });
      const reader = new FrameReader();
      const got: Uint8Array[] = [];
      socket.on("data", (d) => {
        got.push(...reader.push(new Uint8Array(d)));
        if (got.length >= frames && !end) socket.end();
      });
      socket.on("close", () => resolve({ frames: got, closed: true }));
      socket.on("error", reject);
      socket.write(bytes, () => {
        if (end) socket.end();
      });
    });
  }

  test("malformed frames before pairing get no answer and close the link; an oversize length too", async () => {
    const garbage = await raw(
      new Uint8Array([
        ...encodeFrame(Uint8Array.of(1, 2, 3)),
        ...encodeFrame(new Uint8Array(0)),
        ...encodeFrame(Uint8Array.of(0x80, 0xa4, 0, 0, 0, 0, 0, 9)),
      ]),
      3,
    );
    expect(garbage).toEqual({ frames: [], closed: true });
    const oversize = await raw(Uint8Array.of(0x00, 0x10, 0x00, 0x01, 1, 2, 3), 1, false);
    expect(oversize).toEqual({ frames: [], closed: true });
    const cut = await raw(Uint8Array.of(0, 0, 0, 10, 0x80), 0, true);
    expect(cut.frames).toEqual([]);
    // the phone is still there
    const client = await PcCardLink.connect("127.0.0.1", port, link);
    expect((await client.transmit({ ins: INS.SELECT, data: utf8("visa-approve") })).sw).toBe(SW.OK);
    await client.close();
    expect(phone.child.exitCode).toBeNull();
  });
});
