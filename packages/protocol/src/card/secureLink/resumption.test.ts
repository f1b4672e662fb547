/**
 * Bonding and resumption, the machines against each other in memory across both WebCrypto stacks:
 * a pairing that bonds, resumptions with the bond, and every way a resumption must fail (wrong link
 * key, unknown or revoked bond, replayed transcripts, modified messages, downgrades).
 */

import fc from "fast-check";
import { nodeProvider, peculiarProvider } from "../../crypto/provider";
import {
  BOND_ID_LENGTH,
  type BondLookup,
  bondIdFromHex,
  bondIdHex,
  ContentType,
  decodeHandshake,
  encodeHandshake,
  HelloFlags,
  importLinkKey,
  LINK_KEY_LENGTH,
  type LinkBond,
  PcHandshake,
  PcResumeHandshake,
  PhoneHandshake,
  PhoneResumeHandshake,
  SecureLinkError,
  type SecureSession,
} from "./index";

const node = nodeProvider();
const peculiar = peculiarProvider();
const stacks = { node, peculiar };

interface Machine {
  step(frame: Uint8Array): Promise<{ send: readonly Uint8Array[]; session?: SecureSession }>;
}
interface Opener extends Machine {
  start(): Promise<{ send: readonly Uint8Array[] }>;
}

type Tamper = (frame: Uint8Array, direction: "toPhone" | "toPc", index: number) => Uint8Array;

/**
 * Run both machines to the end, frames passing through `tamper`. Returns both sessions, or the
 * first error with which side raised it.
 */
async function run(
  pc: Opener,
  phone: Machine,
  tamper: Tamper = (f) => f,
): Promise<{ pc?: SecureSession; phone?: SecureSession; error?: unknown; side?: "pc" | "phone" }> {
  let pcSession: SecureSession | undefined;
  let phoneSession: SecureSession | undefined;
  let n = 0;
  let toPhone = [...(await pc.start()).send];
  while (toPhone.length > 0) {
    const toPc: Uint8Array[] = [];
    for (const f of toPhone) {
      try {
        const s = await phone.step(tamper(f, "toPhone", n++));
        toPc.push(...s.send);
        phoneSession ??= s.session;
      } catch (error) {
        return { pc: pcSession, phone: phoneSession, error, side: "phone" };
      }
    }
    toPhone = [];
    for (const f of toPc) {
      try {
        const s = await pc.step(tamper(f, "toPc", n++));
        toPhone.push(...s.send);
        pcSession ??= s.session;
      } catch (error) {
        return { pc: pcSession, phone: phoneSession, error, side: "pc" };
      }
    }
  }
  return { pc: pcSession, phone: phoneSession };
}

/** Pair by code with bonding; returns both sessions (each holding the new link key's bytes). */
async function pairAndBond(pcProvider = node, phoneProvider = node, code = "246810") {
  const r = await run(
    new PcHandshake(pcProvider, code, { bond: true }),
    new PhoneHandshake(phoneProvider, code, { bonding: true }),
  );
  if (!r.pc || !r.phone) throw r.error ?? new Error("pairing did not complete");
  return { pc: r.pc, phone: r.phone };
}

/** The two ends' bonds after a pairing: the PC's LinkBond and a phone lookup that knows the bond. */
async function bonds(pcProvider = node, phoneProvider = node) {
  const paired = await pairAndBond(pcProvider, phoneProvider);
  const pcBond: LinkBond = {
    bondId: paired.pc.bondId!,
    linkKey: await importLinkKey(pcProvider, paired.pc.linkKey!),
  };
  const phoneKeys = new Map([
    [bondIdHex(paired.phone.bondId!), await importLinkKey(phoneProvider, paired.phone.linkKey!)],
  ]);
  const lookup: BondLookup = async (id) => phoneKeys.get(bondIdHex(id));
  return { pcBond, phoneKeys, lookup };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);
const flip = (f: Uint8Array, at: number) => Uint8Array.from(f, (b, i) => (i === at ? b ^ 0x01 : b));

describe("bonding during a pairing", () => {
  test.each([
    ["node", "node"],
    ["node", "peculiar"],
    ["peculiar", "node"],
  ] as const)("both ends derive the same bond id and link key (PC %s, phone %s)", async (a, b) => {
    const { pc, phone } = await pairAndBond(stacks[a], stacks[b]);
    expect(pc.mode).toBe("paired");
    expect(pc.bondId).toHaveLength(BOND_ID_LENGTH);
    expect(pc.bondId).toEqual(phone.bondId);
    expect(pc.linkKey).toHaveLength(LINK_KEY_LENGTH);
    expect(pc.linkKey).toEqual(phone.linkKey);
    // distinct labels: neither the session id nor the bond id is the link key
    expect(pc.linkKey).not.toEqual(pc.sessionId);
    expect(Buffer.from(pc.linkKey!).includes(Buffer.from(pc.bondId!))).toBe(false);
  });

  test("every pairing makes a different bond", async () => {
    const a = await pairAndBond();
    const b = await pairAndBond();
    expect(a.pc.bondId).not.toEqual(b.pc.bondId);
    expect(a.pc.linkKey).not.toEqual(b.pc.linkKey);
  });

  test("no bond unless the PC asks and the phone agrees", async () => {
    const notAsked = await run(
      new PcHandshake(node, "111111"),
      new PhoneHandshake(node, "111111", { bonding: true }),
    );
    expect(notAsked.pc?.bondId).toBeUndefined();
    expect(notAsked.phone?.linkKey).toBeUndefined();
    const refused = await run(
      new PcHandshake(node, "111111", { bond: true }),
      new PhoneHandshake(node, "111111"),
    );
    expect(refused.pc).toBeDefined();
    expect(refused.pc?.linkKey).toBeUndefined();
    expect(refused.phone?.linkKey).toBeUndefined();
  });

  test("a phone that offers a bond the PC did not ask for is refused", async () => {
    const asking = new PcHandshake(node, "111111", { bond: true });
    const phone = new PhoneHandshake(node, "111111", { bonding: true });
    const [phoneHello] = (await phone.step((await asking.start()).send[0])).send;
    expect(decodeHandshake(phoneHello)).toMatchObject({ flags: HelloFlags.BOND });
    const notAsking = new PcHandshake(node, "111111");
    await notAsking.start();
    await expect(notAsking.step(phoneHello)).rejects.toMatchObject({
      kind: "handshake",
      message: /did not ask/,
    });
  });

  test("a BOND flag set or cleared in transit fails the key confirmation", async () => {
    // The flag byte is the third byte of each HELLO; a HELLO is the first frame each way.
    for (const [pcAsks, towards] of [
      [true, "toPhone"],
      [false, "toPhone"],
      [true, "toPc"],
    ] as const) {
      const r = await run(
        new PcHandshake(node, "271828", { bond: pcAsks }),
        new PhoneHandshake(node, "271828", { bonding: true }),
        (f, dir) => (dir === towards && decodeHandshake(f).type === "hello" ? flip(f, 2) : f),
      );
      expect(r.error).toBeInstanceOf(SecureLinkError);
      expect(r.pc?.linkKey ?? r.phone?.linkKey).toBeUndefined();
    }
  });

  test("a failed pairing hands out no link key", async () => {
    const r = await run(
      new PcHandshake(node, "123456", { bond: true }),
      new PhoneHandshake(node, "123450", { bonding: true }),
    );
    expect(r.error).toMatchObject({ kind: "pairing" });
    expect(r.pc).toBeUndefined();
    expect(r.phone).toBeUndefined();
  });
});

describe("link keys", () => {
  test("importLinkKey wipes the raw bytes and makes a key nobody can export", async () => {
    const raw = node.crypto.getRandomValues(new Uint8Array(32));
    const key = await importLinkKey(node, raw);
    expect(raw.every((b) => b === 0)).toBe(true);
    expect(key.extractable).toBe(false);
    await expect(node.crypto.subtle.exportKey("raw", key)).rejects.toThrow();
    const short = new Uint8Array(31).fill(7);
    await expect(importLinkKey(node, short)).rejects.toBeInstanceOf(SecureLinkError);
    expect(short.every((b) => b === 0)).toBe(true);
  });

  test("bond ids in hex and back; anything else is refused", () => {
    const id = node.crypto.getRandomValues(new Uint8Array(16));
    expect(bondIdFromHex(bondIdHex(id))).toEqual(id);
    for (const bad of ["", "00", "g".repeat(32), "A".repeat(32), "0".repeat(33)])
      expect(() => bondIdFromHex(bad)).toThrow(SecureLinkError);
  });
});

describe("resumption", () => {
  test.each([
    ["node", "node"],
    ["node", "peculiar"],
    ["peculiar", "node"],
  ] as const)("resumes with the bond, no code (PC %s, phone %s); records flow both ways", async (a, b) => {
    const { pcBond, lookup } = await bonds(stacks[a], stacks[b]);
    const r = await run(
      new PcResumeHandshake(stacks[a], pcBond),
      new PhoneResumeHandshake(stacks[b], lookup),
    );
    expect(r.error).toBeUndefined();
    expect(r.pc!.mode).toBe("resumed");
    expect(r.phone!.bondId).toEqual(pcBond.bondId);
    expect(r.pc!.sessionId).toEqual(r.phone!.sessionId);
    expect(r.pc!.linkKey).toBeUndefined();
    const x = await r.phone!.reader.open(await r.pc!.writer.seal(ContentType.CARD, bytes("select")));
    expect(text(x.payload)).toBe("select");
    const y = await r.pc!.reader.open(await r.phone!.writer.seal(ContentType.CARD, bytes("9000")));
    expect(text(y.payload)).toBe("9000");
  });

  test("every resumption has fresh ECDH keys: new session ids, records do not cross", async () => {
    const { pcBond, lookup } = await bonds();
    const a = await run(new PcResumeHandshake(node, pcBond), new PhoneResumeHandshake(node, lookup));
    const b = await run(new PcResumeHandshake(node, pcBond), new PhoneResumeHandshake(node, lookup));
    expect(a.pc!.sessionId).not.toEqual(b.pc!.sessionId);
    const record = await a.pc!.writer.seal(ContentType.CARD, bytes("x"));
    await expect(b.phone!.reader.open(record)).rejects.toMatchObject({ kind: "record" });
    const r1 = (await new PcResumeHandshake(node, pcBond).start()).send[0];
    const r2 = (await new PcResumeHandshake(node, pcBond).start()).send[0];
    expect(r1).not.toEqual(r2);
  });

  test("a wrong link key under the right bond id is refused by the PC at the phone's FINISHED", async () => {
    const { pcBond, lookup } = await bonds();
    const wrong: LinkBond = {
      bondId: pcBond.bondId,
      linkKey: await importLinkKey(node, node.crypto.getRandomValues(new Uint8Array(32))),
    };
    const phone = new PhoneResumeHandshake(node, lookup);
    const r = await run(new PcResumeHandshake(node, wrong), phone);
    // The phone speaks its FINISHED first; the PC checks it before it sends its own or any record.
    expect(r.side).toBe("pc");
    expect(r.error).toMatchObject({ kind: "pairing", message: /key confirmation/ });
    expect(r.pc).toBeUndefined();
    expect(r.phone).toBeUndefined();
    expect(phone.complete).toBe(false);
  });

  test("a phone that does not hold the link key cannot complete the PC's resumption", async () => {
    const { pcBond } = await bonds();
    const impostorKey = await importLinkKey(node, node.crypto.getRandomValues(new Uint8Array(32)));
    const r = await run(
      new PcResumeHandshake(node, pcBond),
      new PhoneResumeHandshake(node, async () => impostorKey),
    );
    // the honest PC's FINISHED fails at the impostor; and had the impostor answered, the PC would refuse:
    expect(r.error).toMatchObject({ kind: "pairing" });
    const pc = new PcResumeHandshake(node, pcBond);
    const impostor = new PhoneResumeHandshake(node, async () => impostorKey);
    const [resume] = (await pc.start()).send;
    const [hello] = (await impostor.step(resume)).send;
    await pc.step(hello);
    const forged = encodeHandshake({
      type: "finished",
      mac: node.crypto.getRandomValues(new Uint8Array(32)),
    });
    await expect(pc.step(forged)).rejects.toMatchObject({ kind: "pairing", message: /key confirmation/ });
  });

  test("an unknown bond is refused before any key exchange, and the PC learns it from the ALERT", async () => {
    const { pcBond } = await bonds();
    let looked = 0;
    const phone = new PhoneResumeHandshake(node, async () => {
      looked++;
      return undefined;
    });
    const pc = new PcResumeHandshake(node, pcBond);
    const [resume] = (await pc.start()).send;
    await expect(phone.step(resume)).rejects.toMatchObject({ kind: "unbonded" });
    expect(looked).toBe(1);
    await expect(pc.step(encodeHandshake({ type: "alert", reason: 3 }))).rejects.toMatchObject({
      kind: "unbonded",
      message: /no such bond/,
    });
    // a look-up that fails is an unknown bond too, never a crash
    const broken = new PhoneResumeHandshake(node, async () => {
      throw new Error("disk on fire");
    });
    await expect(broken.step(resume)).rejects.toMatchObject({ kind: "unbonded" });
  });

  test("a revoked bond never resumes again, even with the right link key", async () => {
    const { pcBond, phoneKeys, lookup } = await bonds();
    expect(
      (await run(new PcResumeHandshake(node, pcBond), new PhoneResumeHandshake(node, lookup))).pc,
    ).toBeDefined();
    phoneKeys.clear();
    for (let i = 0; i < 2; i++) {
      const r = await run(new PcResumeHandshake(node, pcBond), new PhoneResumeHandshake(node, lookup));
      expect(r).toMatchObject({ side: "phone", error: { kind: "unbonded" } });
    }
  });

  test("a replayed resumption transcript fails: the PC's RESUME and FINISHED meet a fresh phone key", async () => {
    const { pcBond, lookup } = await bonds();
    const recorded: Uint8Array[] = [];
    const ok = await run(
      new PcResumeHandshake(node, pcBond),
      new PhoneResumeHandshake(node, lookup),
      (f, dir) => {
        if (dir === "toPhone") recorded.push(f);
        return f;
      },
    );
    expect(ok.phone).toBeDefined();
    expect(recorded.map((f) => decodeHandshake(f).type)).toEqual(["resume", "finished"]);
    const phone = new PhoneResumeHandshake(node, lookup);
    await phone.step(recorded[0]);
    await expect(phone.step(recorded[1])).rejects.toMatchObject({
      kind: "pairing",
      message: /key confirmation/,
    });
    expect(phone.complete).toBe(false);
  });

  test("a replayed phone side fails at the PC: its HELLO and FINISHED do not fit a fresh PC key", async () => {
    const { pcBond, lookup } = await bonds();
    const recorded: Uint8Array[] = [];
    await run(new PcResumeHandshake(node, pcBond), new PhoneResumeHandshake(node, lookup), (f, dir) => {
      if (dir === "toPc") recorded.push(f);
      return f;
    });
    const pc = new PcResumeHandshake(node, pcBond);
    await pc.start();
    await pc.step(recorded[0]);
    await expect(pc.step(recorded[1])).rejects.toMatchObject({
      kind: "pairing",
      message: /key confirmation/,
    });
  });

  test("any single modified byte of any resumption message ends it with no session on either side", async () => {
    const { pcBond, lookup } = await bonds();
    // messages: 0 RESUME (83 bytes), 1 HELLO (68) and 2 FINISHED (33) to the PC in one write, 3 the
    // PC's FINISHED (33)
    const sizes = [83, 68, 33, 33];
    for (let message = 0; message < sizes.length; message++) {
      for (const at of [0, 1, 2, 5, 17, 18, 40, sizes[message] - 1]) {
        if (at >= sizes[message]) continue;
        const r = await run(
          new PcResumeHandshake(node, pcBond),
          new PhoneResumeHandshake(node, lookup),
          (f, _d, i) => (i === message ? flip(f, at) : f),
        );
        expect(r.error).toBeInstanceOf(SecureLinkError);
        expect(r.phone).toBeUndefined();
        // the PC has finished once it sent its FINISHED; a damaged one is refused by the phone, which
        // then reads no record
        if (message < 3) expect(r.pc).toBeUndefined();
        else expect(r.side).toBe("phone");
      }
    }
  });

  test("downgrade: a RESUME turned into a HELLO (a code pairing) gets nowhere", async () => {
    const { pcBond } = await bonds();
    for (const flags of [0, HelloFlags.BOND]) {
      const r = await run(
        new PcResumeHandshake(node, pcBond),
        new PhoneHandshake(node, "000000", { bonding: true }),
        (f, dir) => {
          const m = decodeHandshake(f);
          return dir === "toPhone" && m.type === "resume"
            ? encodeHandshake({ type: "hello", version: m.version, flags, publicKey: m.publicKey })
            : f;
        },
      );
      // With flags, the PC refuses the HELLO; without, it waits for a FINISHED the pairing phone
      // never sends, while the phone waits for a COMMIT: no session, and the PC's timeout ends it.
      if (flags !== 0) expect(r.error).toMatchObject({ kind: "handshake" });
      else expect(r.error).toBeUndefined();
      expect(r.pc).toBeUndefined();
      expect(r.phone).toBeUndefined();
    }
  });

  test("downgrade: the PC never answers a pairing when it resumes, and a pairing phone refuses RESUME", async () => {
    const { pcBond, lookup } = await bonds();
    const pc = new PcResumeHandshake(node, pcBond);
    await pc.start();
    await expect(
      pc.step(encodeHandshake({ type: "commit", commitment: new Uint8Array(32) })),
    ).rejects.toMatchObject({
      message: "expected HELLO, got COMMIT",
    });
    const [resume] = (await new PcResumeHandshake(node, pcBond).start()).send;
    await expect(new PhoneHandshake(node, "123456").step(resume)).rejects.toMatchObject({
      message: "expected HELLO, got RESUME",
    });
    const [hello] = (await new PcHandshake(node, "123456").start()).send;
    await expect(new PhoneResumeHandshake(node, lookup).step(hello)).rejects.toMatchObject({
      message: "expected RESUME, got HELLO",
    });
  });

  test("an old version, a reflected key, an off-curve key and a wrong length are refused", async () => {
    const { pcBond, lookup } = await bonds();
    const [resume] = (await new PcResumeHandshake(node, pcBond).start()).send;
    const old = resume.slice();
    old[1] = 1;
    await expect(new PhoneResumeHandshake(node, lookup).step(old)).rejects.toMatchObject({
      kind: "handshake",
      message: /version 1 is not 2/,
    });
    const offCurve = new Uint8Array(65);
    offCurve[0] = 4;
    offCurve[64] = 9;
    await expect(
      new PhoneResumeHandshake(node, lookup).step(
        encodeHandshake({ type: "resume", version: 2, bondId: pcBond.bondId, publicKey: offCurve }),
      ),
    ).rejects.toMatchObject({ kind: "handshake", message: /not a point/ });
    await expect(new PhoneResumeHandshake(node, lookup).step(resume.subarray(0, 82))).rejects.toMatchObject({
      kind: "handshake",
      message: /RESUME is 81 bytes/,
    });
    const pc = new PcResumeHandshake(node, pcBond);
    const [own] = (await pc.start()).send;
    const reflected = encodeHandshake({ type: "hello", version: 2, flags: 0, publicKey: own.slice(18) });
    await expect(pc.step(reflected)).rejects.toMatchObject({ message: /our own public key/ });
    const flagged = new PcResumeHandshake(node, pcBond);
    const [r2] = (await flagged.start()).send;
    const [phoneHello] = (await new PhoneResumeHandshake(node, lookup).step(r2)).send;
    await expect(flagged.step(flip(phoneHello, 2))).rejects.toMatchObject({ message: /carries flags/ });
    expect(
      () => new PcResumeHandshake(node, { bondId: new Uint8Array(15), linkKey: pcBond.linkKey }),
    ).toThrow(SecureLinkError);
  });

  test("a link key of another WebCrypto is a clean error, not a crash", async () => {
    const { pcBond, lookup } = await bonds(node, node);
    const r = await run(new PcResumeHandshake(peculiar, pcBond), new PhoneResumeHandshake(node, lookup));
    expect(r.error).toBeInstanceOf(SecureLinkError);
    expect(r.side).toBe("pc");
  });

  test("ALERTs during a resumption: locked and refused", async () => {
    const { pcBond } = await bonds();
    const locked = new PcResumeHandshake(node, pcBond);
    await locked.start();
    await expect(locked.step(encodeHandshake({ type: "alert", reason: 2 }))).rejects.toMatchObject({
      kind: "locked",
    });
    const refused = new PcResumeHandshake(node, pcBond);
    await refused.start();
    await expect(refused.step(encodeHandshake({ type: "alert", reason: 1 }))).rejects.toMatchObject({
      kind: "pairing",
      message: /refused the resumption/,
    });
  });

  test("random first frames and random mutations of a RESUME are always a clean SecureLinkError", async () => {
    const { pcBond, lookup } = await bonds();
    const [resume] = (await new PcResumeHandshake(node, pcBond).start()).send;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 120 }), async (junk) => {
        const e = await new PhoneResumeHandshake(node, lookup).step(junk).catch((x) => x);
        expect(e).toBeInstanceOf(SecureLinkError);
      }),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(resume.length - 1), fc.integer({ min: 1, max: 255 }), async (at, x) => {
        const edited = Uint8Array.from(resume, (b, i) => (i === at ? b ^ x : b));
        // type, version, bond id (unknown) or a point no longer on the curve: refused at once
        const e = await new PhoneResumeHandshake(node, lookup).step(edited).catch((x) => x);
        expect(e).toBeInstanceOf(SecureLinkError);
      }),
      { numRuns: 100 },
    );
  });
});
