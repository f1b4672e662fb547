/**
 * Bonding on the phone, in process over real TCP with a real bond store on disk (an applet without
 * cards: only the link is under test; the phone's side on @peculiar/webcrypto as in `set-phone
 * serve`, the PC's on node's): a pairing that bonds, resumptions without a code, and what the phone
 * refuses (wrong link key, unknown, revoked, expired, evicted or altered bonds, replayed
 * resumptions), resumptions never locked out, and the store at rest
 * (encrypted, 0600, no link key in files or logs).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import {
  bondIdHex,
  defaultProvider,
  encodeFrame,
  FrameReader,
  INS,
  importLinkKey,
  type LinkBond,
  PcHandshake,
  PcResumeHandshake,
  peculiarProvider,
  SW,
} from "@setlab/protocol";
import {
  type PairingOptions,
  PcCardLink,
  type PhoneCardLink,
  startPhoneCardLink,
} from "@setlab/protocol/card-link";
import { createLogger } from "@setlab/runtime";
import { CardApplet } from "../card/applet";
import { autoApprove } from "../card/confirmation";
import { type BondStoreOptions, listBonds, PhoneBondStore, revokeBonds } from "./bondStore";
import { defaultKdf, type KdfParams } from "./cardSealing";

const CODE = "314159";
const phoneProvider = peculiarProvider();
const servers: PhoneCardLink[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const fileKdf: KdfParams = defaultKdf();

/** A phone with a bond store in a fresh data directory; its log lines are collected. */
async function phone(
  options: {
    pairing?: PairingOptions;
    store?: Partial<BondStoreOptions>;
    dataDir?: string;
    bonds?: boolean;
  } = {},
) {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "setlab-bonds-"));
  dirs.push(dataDir);
  let text = "";
  const logger = createLogger("phone", {
    level: "debug",
    destination: new Writable({
      write(chunk, _enc, done) {
        text += chunk;
        done();
      },
    }),
  });
  const store =
    options.bonds === false
      ? undefined
      : PhoneBondStore.open(dataDir, {
          provider: phoneProvider,
          passphrase: "bond test",
          logger,
          // One salt for the file's stores: scrypt once, not once per phone.
          kdf: fileKdf,
          ...options.store,
        });
  const applet = new CardApplet([], { p: peculiarProvider(), confirm: autoApprove });
  const server = await startPhoneCardLink(applet, {
    provider: phoneProvider,
    logger,
    pairing: { code: CODE, bonds: store, ...options.pairing },
  });
  servers.push(server);
  return {
    port: server.port,
    dataDir,
    store,
    server,
    log: () => text,
    lines: () =>
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const connect = (port: number, options: Parameters<typeof PcCardLink.connect>[2]) =>
  PcCardLink.connect("127.0.0.1", port, options);

/** Pair with the code and keep the bond. */
async function bonded(port: number): Promise<LinkBond> {
  const c = await connect(port, { pairingCode: CODE, keepBond: true });
  await c.close();
  expect(c.mode).toBe("paired");
  expect(c.bond).toBeDefined();
  return c.bond!;
}

/** Resume and run one card command; the error's kind when it fails. */
async function resume(port: number, bond: LinkBond): Promise<"ok" | string> {
  try {
    const c = await connect(port, { bond });
    try {
      expect(c.mode).toBe("resumed");
      const r = await c.transmit({ ins: INS.SELECT, data: new TextEncoder().encode("none") });
      expect(r.sw).toBe(SW.NO_SUCH_CARD);
    } finally {
      await c.close();
    }
    return "ok";
  } catch (e) {
    return (e as { link?: string }).link ?? (e as { kind?: string }).kind ?? (e as Error).message;
  }
}

/** Send frames on a raw connection, collect what comes back until the phone closes. */
function exchange(port: number, frames: Uint8Array[]): Promise<Uint8Array[]> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: "127.0.0.1", port });
    const reader = new FrameReader();
    const got: Uint8Array[] = [];
    socket.on("data", (d) => got.push(...reader.push(new Uint8Array(d))));
    socket.on("close", () => resolve(got));
    socket.on("error", () => {});
    for (const f of frames) socket.write(encodeFrame(f));
  });
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe("bonding by a pairing, resumption without the code", () => {
  test("the first pairing bonds; later connections resume with no code asked", async () => {
    const shown: string[] = [];
    const p = await phone({ pairing: { code: undefined, show: (c) => shown.push(c) } });
    let asked = 0;
    const first = await connect(p.port, {
      keepBond: true,
      pairingCode: async () => {
        asked++;
        return shown[shown.length - 1];
      },
    });
    await first.close();
    expect(asked).toBe(1);
    expect(shown).toHaveLength(1);
    const bond = first.bond!;
    expect(listBonds(p.dataDir).map((b) => b.bondId)).toEqual([bondIdHex(bond.bondId)]);
    for (let i = 0; i < 3; i++) expect(await resume(p.port, bond)).toBe("ok");
    // no code was drawn or shown for the resumptions
    expect(shown).toHaveLength(1);
    await waitFor(() => p.lines().filter((l) => l.msg === "card link resumed").length === 3);
    expect(p.lines().find((l) => l.msg === "card link bonded")).toMatchObject({
      bond: bondIdHex(bond.bondId),
    });
  });

  test("a PC that does not ask to bond gets no bond, and the phone keeps none", async () => {
    const p = await phone();
    const c = await connect(p.port, { pairingCode: CODE });
    await c.close();
    expect(c.bond).toBeUndefined();
    expect(listBonds(p.dataDir)).toEqual([]);
  });

  test("a phone without a bond store bonds with nobody and refuses every RESUME as an unknown bond", async () => {
    const withStore = await phone();
    const bond = await bonded(withStore.port);
    const p = await phone({ bonds: false });
    const c = await connect(p.port, { pairingCode: CODE, keepBond: true });
    await c.close();
    expect(c.bond).toBeUndefined();
    expect(await resume(p.port, bond)).toBe("unbonded");
  });

  test("the bond survives a phone restart: a new server on the same data directory resumes it", async () => {
    const p = await phone();
    const bond = await bonded(p.port);
    await p.server.close();
    const again = await phone({ dataDir: p.dataDir });
    expect(await resume(again.port, bond)).toBe("ok");
  });

  test("the bond belongs to its phone: another phone's data directory does not know it", async () => {
    const a = await phone();
    const b = await phone();
    expect(await resume(b.port, await bonded(a.port))).toBe("unbonded");
  });
});

describe("what the phone refuses", () => {
  test("a wrong link key under a known bond id: the phone's FINISHED fails at the PC, the phone logs a failed resumption", async () => {
    const p = await phone();
    const bond = await bonded(p.port);
    const wrong: LinkBond = {
      bondId: bond.bondId,
      linkKey: await importLinkKey(defaultProvider, globalThis.crypto.getRandomValues(new Uint8Array(32))),
    };
    expect(await resume(p.port, wrong)).toBe("pairing");
    await waitFor(() => p.lines().some((l) => l.msg === "resumption failed"));
    expect(p.lines().some((l) => l.msg === "pairing failed")).toBe(false);
    // the genuine bond still resumes
    expect(await resume(p.port, bond)).toBe("ok");
  });

  test("an unknown bond gets ALERT(unknown bond) and the close", async () => {
    const p = await phone();
    const bond = await bonded(p.port);
    const stranger: LinkBond = { ...bond, bondId: globalThis.crypto.getRandomValues(new Uint8Array(16)) };
    expect(await resume(p.port, stranger)).toBe("unbonded");
  });

  test("a revoked bond never resumes again; the other bonds still do", async () => {
    const p = await phone();
    const a = await bonded(p.port);
    const b = await bonded(p.port);
    // Resumed once before: what the phone kept of the bond does not outlive its file.
    expect(await resume(p.port, a)).toBe("ok");
    expect(revokeBonds(p.dataDir, bondIdHex(a.bondId).slice(0, 10))).toEqual([bondIdHex(a.bondId)]);
    expect(await resume(p.port, a)).toBe("unbonded");
    expect(await resume(p.port, a)).toBe("unbonded");
    expect(await resume(p.port, b)).toBe("ok");
    expect(revokeBonds(p.dataDir, "all")).toEqual([bondIdHex(b.bondId)]);
    expect(await resume(p.port, b)).toBe("unbonded");
    expect(() => revokeBonds(p.dataDir, bondIdHex(b.bondId))).toThrow(/no bond/);
    expect(() => revokeBonds(p.dataDir, "abc")).toThrow(/not a bond id/);
  });

  test("a bond expires: refused after its lifetime, and its file is removed", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const p = await phone({ store: { lifetimeMs: 60_000, now: () => now } });
    const bond = await bonded(p.port);
    now += 59_000;
    expect(await resume(p.port, bond)).toBe("ok");
    now += 2_000;
    expect(listBonds(p.dataDir, now)[0].expired).toBe(true);
    expect(await resume(p.port, bond)).toBe("unbonded");
    expect(listBonds(p.dataDir, now)).toEqual([]);
  });

  test("at most maxBonds bonds: a new pairing evicts the oldest", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const p = await phone({ store: { maxBonds: 2, now: () => now } });
    const bonds: LinkBond[] = [];
    for (let i = 0; i < 3; i++) {
      now += 1_000;
      bonds.push(await bonded(p.port));
    }
    expect(listBonds(p.dataDir, now)).toHaveLength(2);
    expect(await resume(p.port, bonds[0])).toBe("unbonded");
    expect(await resume(p.port, bonds[1])).toBe("ok");
    expect(await resume(p.port, bonds[2])).toBe("ok");
    expect(p.log()).toContain("bond evicted");
  });

  test("a bond file altered on disk, or opened under another passphrase, is refused", async () => {
    const p = await phone();
    const bond = await bonded(p.port);
    expect(await resume(p.port, bond)).toBe("ok");
    const file = path.join(p.dataDir, "bonds", `${bondIdHex(bond.bondId)}.json`);
    const original = fs.readFileSync(file, "utf8");
    const later = JSON.parse(original);
    later.expires = "2999-01-01T00:00:00.000Z";
    fs.writeFileSync(file, JSON.stringify(later));
    expect(await resume(p.port, bond)).toBe("unbonded");
    expect(p.log()).toContain("bond file refused");
    const flipped = JSON.parse(original);
    const data = Buffer.from(flipped.sealed.data, "base64");
    data[3] ^= 1;
    flipped.sealed.data = data.toString("base64");
    fs.writeFileSync(file, JSON.stringify(flipped));
    expect(await resume(p.port, bond)).toBe("unbonded");
    fs.writeFileSync(file, original);
    expect(await resume(p.port, bond)).toBe("ok");
    await p.server.close();
    const otherPassphrase = await phone({ dataDir: p.dataDir, store: { passphrase: "not the one" } });
    expect(await resume(otherPassphrase.port, bond)).toBe("unbonded");
  });

  test("a replayed resumption (the PC's RESUME and FINISHED, recorded) is refused and runs nothing", async () => {
    const p = await phone();
    const bond = await bonded(p.port);
    // record a genuine resumption's frames from the PC
    const sent: Uint8Array[] = [];
    const spy = net.createServer((pcSide) => {
      const toPhone = net.createConnection({ host: "127.0.0.1", port: p.port });
      const reader = new FrameReader();
      pcSide.on("data", (d) => {
        sent.push(...reader.push(new Uint8Array(d)));
        toPhone.write(d);
      });
      toPhone.on("data", (d) => pcSide.write(d));
      toPhone.on("close", () => pcSide.destroy());
      pcSide.on("close", () => toPhone.destroy());
      pcSide.on("error", () => {});
      toPhone.on("error", () => {});
    });
    await new Promise<void>((r) => spy.listen(0, "127.0.0.1", r));
    expect(await resume((spy.address() as net.AddressInfo).port, bond)).toBe("ok");
    spy.close();
    expect(sent[0][0]).toBe(0x06);
    expect(sent[1][0]).toBe(0x04);
    const answers = await exchange(p.port, [sent[0], sent[1], sent[2]]);
    // a fresh HELLO and the phone's FINISHED, then ALERT(refused): the replayed FINISHED does not
    // fit the new key
    expect(answers.map((f) => f[0])).toEqual([0x01, 0x04, 0x05]);
    expect(answers[2]).toEqual(Uint8Array.of(0x05, 0x01));
    expect(p.lines().filter((l) => l.msg === "card session")).toEqual([]);
  });
});

describe("the bond store's own checks", () => {
  test("a bond file moved under another bond's name is refused", async () => {
    const p = await phone();
    const a = await bonded(p.port);
    const b = await bonded(p.port);
    const file = (bond: LinkBond) => path.join(p.dataDir, "bonds", `${bondIdHex(bond.bondId)}.json`);
    expect(await resume(p.port, b)).toBe("ok");
    fs.copyFileSync(file(a), file(b));
    expect(await resume(p.port, b)).toBe("unbonded");
    expect(p.log()).toContain("bond file refused: not a bond");
    expect(await resume(p.port, a)).toBe("ok");
  });

  test("unreadable store parameters: new ones for new bonds, and the old bonds still open", async () => {
    const p = await phone();
    const old = await bonded(p.port);
    await p.server.close();
    fs.writeFileSync(path.join(p.dataDir, "bonds", "store.json"), "{not json");
    const again = await phone({ dataDir: p.dataDir });
    expect(again.log()).toContain("bond store parameters unreadable");
    expect(JSON.parse(fs.readFileSync(path.join(p.dataDir, "bonds", "store.json"), "utf8")).format).toBe(
      "setlab-phone-bonds/1",
    );
    expect(await resume(again.port, old)).toBe("ok");
    expect(await resume(again.port, await bonded(again.port))).toBe("ok");
  });

  test("a bond the phone cannot store: the pairing still completes, and the PC is refused at its next resumption", async () => {
    const failing = {
      lookup: async () => undefined,
      add: async () => {
        throw new Error("disk full");
      },
    };
    const p = await phone({ bonds: false, pairing: { bonds: failing } });
    const c = await connect(p.port, { pairingCode: CODE, keepBond: true });
    expect((await c.transmit({ ins: INS.SELECT, data: new TextEncoder().encode("none") })).sw).toBe(
      SW.NO_SUCH_CARD,
    );
    await c.close();
    expect(p.log()).toContain("bond not kept: the PC will pair again");
    expect(await resume(p.port, c.bond!)).toBe("unbonded");
  });

  test("a new store takes the KDF parameters it is given; an existing one keeps its own", () => {
    const storeKdf = (dir: string) =>
      (JSON.parse(fs.readFileSync(path.join(dir, "bonds", "store.json"), "utf8")) as { kdf: KdfParams }).kdf;
    const given = defaultKdf();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-bonds-"));
    dirs.push(dir);
    PhoneBondStore.open(dir, { provider: phoneProvider, passphrase: "x", kdf: given });
    expect(storeKdf(dir)).toEqual(given);
    PhoneBondStore.open(dir, { provider: phoneProvider, passphrase: "x", kdf: defaultKdf() });
    expect(storeKdf(dir)).toEqual(given);
    // parameters below the accepted cost are not taken: the store draws its own
    const weak = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-bonds-"));
    dirs.push(weak);
    PhoneBondStore.open(weak, { provider: phoneProvider, passphrase: "x", kdf: { ...given, N: 2 ** 10 } });
    expect(storeKdf(weak).N).toBe(defaultKdf().N);
    expect(storeKdf(weak).salt).not.toBe(given.salt);
  });

  test("limits out of range and a link key of the wrong length are refused", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-bonds-"));
    dirs.push(dir);
    expect(() => PhoneBondStore.open(dir, { provider: phoneProvider, maxBonds: 0 })).toThrow(RangeError);
    expect(() => PhoneBondStore.open(dir, { provider: phoneProvider, lifetimeMs: 0 })).toThrow(RangeError);
    const store = PhoneBondStore.open(dir, { provider: phoneProvider, passphrase: "x" });
    const short = new Uint8Array(31).fill(1);
    await expect(store.add(new Uint8Array(16), short)).rejects.toThrow(RangeError);
    expect(short.every((b) => b === 0)).toBe(true);
    expect(store.list()).toEqual([]);
  });
});

describe("failure limits: a bond is the owner's way in", () => {
  test("failed resumptions never lock anything: unknown bond ids and wrong link keys, many of them", async () => {
    const p = await phone({ pairing: { maxFailures: 1, lockoutMs: 600_000 } });
    const bond = await bonded(p.port);
    const wrongKey: LinkBond = {
      bondId: bond.bondId,
      linkKey: await importLinkKey(defaultProvider, globalThis.crypto.getRandomValues(new Uint8Array(32))),
    };
    for (let i = 0; i < 5; i++) {
      const unknown: LinkBond = { ...bond, bondId: globalThis.crypto.getRandomValues(new Uint8Array(16)) };
      expect(await resume(p.port, unknown)).toBe("unbonded");
      expect(await resume(p.port, wrongKey)).toBe("pairing");
    }
    const failures = p.lines().filter((l) => l.msg === "resumption failed");
    expect(failures).toHaveLength(10);
    for (const f of failures) expect(f.counted).toBe(false);
    expect(p.log()).not.toContain("refused for");
    expect(await resume(p.port, bond)).toBe("ok");
    // and pairing is not locked by them either
    const c = await connect(p.port, { pairingCode: CODE });
    await c.close();
  });

  test("a pairing lockout by wrong codes leaves the bonded PC its way in", async () => {
    const q = await phone({ pairing: { maxFailures: 1, lockoutMs: 600_000 } });
    const qBond = await bonded(q.port);
    const wrong = await connect(q.port, { pairingCode: "000000" }).catch((e) => e);
    expect(wrong).toMatchObject({ kind: "pairing" });
    expect(await connect(q.port, { pairingCode: CODE }).catch((e) => e)).toMatchObject({ link: "locked" });
    expect(await resume(q.port, qBond)).toBe("ok");
  });

  test("a slow or abandoned resumption is logged as not counted", async () => {
    const p = await phone({ pairing: { resumeTimeoutMs: 100, maxFailures: 1, lockoutMs: 600_000 } });
    const bond = await bonded(p.port);
    const [resumeFrame] = (await new PcResumeHandshake(defaultProvider, bond).start()).send;
    // the phone answers HELLO and its FINISHED, then gives up after 100 ms without the PC's FINISHED
    const answers = await exchange(p.port, [resumeFrame]);
    expect(answers.map((f) => f[0])).toEqual([0x01, 0x04]);
    await waitFor(() => p.log().includes("not resumed within 100 ms"));
    // a PC that sends RESUME and leaves
    await new Promise<void>((resolve) => {
      const socket = net.createConnection({ host: "127.0.0.1", port: p.port }, () => {
        socket.write(encodeFrame(resumeFrame));
        socket.on("data", () => socket.destroy());
      });
      socket.on("close", () => resolve());
      socket.on("error", () => {});
    });
    await waitFor(() => p.log().includes("the PC left during the resumption"));
    const failures = p.lines().filter((l) => l.msg === "resumption failed");
    expect(failures).toHaveLength(2);
    for (const f of failures) expect(f.counted).toBe(false);
    expect(await resume(p.port, bond)).toBe("ok");
  });
});

describe("the bond store at rest", () => {
  test("encrypted, mode 0600 in a 0700 directory; the link key is in no file and no log line", async () => {
    const p = await phone();
    // pair by hand to see the raw link key the PC side derives (the same bytes as the phone's)
    const socket = await new Promise<net.Socket>((resolve) => {
      const s = net.createConnection({ host: "127.0.0.1", port: p.port }, () => resolve(s));
    });
    const reader = new FrameReader();
    const frames: Uint8Array[] = [];
    const waiting: ((f: Uint8Array) => void)[] = [];
    socket.on("data", (d) => {
      for (const f of reader.push(new Uint8Array(d))) {
        const w = waiting.shift();
        if (w) w(f);
        else frames.push(f);
      }
    });
    const next = () =>
      frames.length > 0 ? Promise.resolve(frames.shift()!) : new Promise<Uint8Array>((r) => waiting.push(r));
    const hs = new PcHandshake(defaultProvider, CODE, { bond: true });
    let step = await hs.start();
    while (!step.session) {
      for (const f of step.send) socket.write(encodeFrame(f));
      step = await hs.step(await next());
    }
    socket.destroy();
    const raw = Buffer.from(step.session.linkKey!);
    expect(raw).toHaveLength(32);
    const id = bondIdHex(step.session.bondId!);
    await waitFor(() => p.log().includes("card link bonded"));

    const dir = path.join(p.dataDir, "bonds");
    expect(mode(dir)).toBe(0o700);
    const names = fs.readdirSync(dir).sort();
    expect(names).toEqual([`${id}.json`, "store.json"]);
    const forms = [raw.toString("hex"), raw.toString("base64"), raw.toString("base64url")];
    for (const n of names) {
      const file = path.join(dir, n);
      expect(mode(file)).toBe(0o600);
      const bytes = fs.readFileSync(file);
      expect(bytes.includes(raw)).toBe(false);
      for (const f of forms) expect(bytes.toString("utf8")).not.toContain(f);
    }
    const bondFile = JSON.parse(fs.readFileSync(path.join(dir, `${id}.json`), "utf8"));
    expect(Object.keys(bondFile).sort()).toEqual(["bondId", "created", "expires", "format", "kdf", "sealed"]);
    expect(bondFile.sealed.cipher).toBe("aes-256-gcm");
    for (const f of forms) expect(p.log()).not.toContain(f);
    step.session.linkKey!.fill(0);
  });
});
