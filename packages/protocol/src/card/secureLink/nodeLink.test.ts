/**
 * The link's node:crypto fast path against its WebCrypto path, one end each: Node's own WebCrypto
 * takes the fast path, and the same WebCrypto seen through a wrapper (so `isNodeProvider` is false)
 * takes the WebCrypto path. Pairing, bonding, resumption and records must interoperate, records
 * must be the same bytes, and the fast path must not go through `crypto.subtle` at all.
 */
import { isNodeProvider } from "../../crypto/native";
import { nodeProvider, webCryptoProvider } from "../../crypto/provider";
import {
  bondIdHex,
  ContentType,
  importLinkKey,
  PcHandshake,
  PcResumeHandshake,
  PhoneHandshake,
  PhoneResumeHandshake,
  RecordReader,
  RecordWriter,
  SecureLinkError,
  type SecureSession,
} from "./index";

const node = nodeProvider();
/** Node's WebCrypto behind another object: the same OpenSSL, but the WebCrypto path of the link. */
const viaSubtle = webCryptoProvider("viaSubtle", {
  getRandomValues: <T extends ArrayBufferView<ArrayBuffer>>(array: T) => node.crypto.getRandomValues(array),
  randomUUID: () => node.crypto.randomUUID(),
  subtle: new Proxy(node.crypto.subtle, {
    get(target, name) {
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }),
} as unknown as Crypto);
const stacks = { fast: node, webcrypto: viaSubtle };

interface Machine {
  step(frame: Uint8Array): Promise<{ send: readonly Uint8Array[]; session?: SecureSession }>;
}

async function run(pc: Machine & { start(): Promise<{ send: readonly Uint8Array[] }> }, phone: Machine) {
  let pcSession: SecureSession | undefined;
  let phoneSession: SecureSession | undefined;
  let toPhone = [...(await pc.start()).send];
  while (toPhone.length > 0) {
    const toPc: Uint8Array[] = [];
    for (const f of toPhone) {
      const s = await phone.step(f);
      toPc.push(...s.send);
      phoneSession ??= s.session;
    }
    toPhone = [];
    for (const f of toPc) {
      const s = await pc.step(f);
      toPhone.push(...s.send);
      pcSession ??= s.session;
    }
  }
  if (!pcSession || !phoneSession) throw new Error("handshake did not complete");
  return { pc: pcSession, phone: phoneSession };
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function recordsFlow(a: SecureSession, b: SecureSession): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const there = await b.reader.open(await a.writer.seal(ContentType.CARD, bytes(`command ${i}`)));
    expect(text(there.payload)).toBe(`command ${i}`);
    const back = await a.reader.open(await b.writer.seal(ContentType.CARD, bytes(`answer ${i}`)));
    expect(text(back.payload)).toBe(`answer ${i}`);
  }
}

describe("the node fast path and the WebCrypto path", () => {
  test("Node's WebCrypto takes the fast path; the same one behind a wrapper does not", () => {
    expect(isNodeProvider(node)).toBe(true);
    expect(isNodeProvider(viaSubtle)).toBe(false);
  });

  test.each([
    ["fast", "webcrypto"],
    ["webcrypto", "fast"],
  ] as const)("pair, bond, resume and exchange records (PC %s, phone %s)", async (a, b) => {
    const pcProvider = stacks[a];
    const phoneProvider = stacks[b];
    const paired = await run(
      new PcHandshake(pcProvider, "271828", { bond: true }),
      new PhoneHandshake(phoneProvider, "271828", { bonding: true }),
    );
    expect(paired.pc.sessionId).toEqual(paired.phone.sessionId);
    expect(paired.pc.linkKey).toEqual(paired.phone.linkKey);
    expect(paired.pc.bondId).toEqual(paired.phone.bondId);
    await recordsFlow(paired.pc, paired.phone);

    const pcBond = {
      bondId: paired.pc.bondId!,
      linkKey: await importLinkKey(pcProvider, paired.pc.linkKey!),
    };
    const phoneKey = await importLinkKey(phoneProvider, paired.phone.linkKey!);
    const known = bondIdHex(paired.phone.bondId!);
    const resumed = await run(
      new PcResumeHandshake(pcProvider, pcBond),
      new PhoneResumeHandshake(phoneProvider, async (id) => (bondIdHex(id) === known ? phoneKey : undefined)),
    );
    expect(resumed.pc.mode).toBe("resumed");
    expect(resumed.pc.sessionId).toEqual(resumed.phone.sessionId);
    expect(resumed.pc.sessionId).not.toEqual(paired.pc.sessionId);
    await recordsFlow(resumed.pc, resumed.phone);
  });

  test("both paths seal the same record bytes, and each opens the other's", async () => {
    const key = await node.crypto.subtle.importKey(
      "raw",
      node.crypto.getRandomValues(new Uint8Array(32)),
      "AES-GCM",
      false,
      ["encrypt", "decrypt"],
    );
    const keys = { key, iv: node.crypto.getRandomValues(new Uint8Array(12)) };
    const fast = new RecordWriter(node, keys);
    const slow = new RecordWriter(viaSubtle, keys);
    const fastReader = new RecordReader(node, keys);
    const slowReader = new RecordReader(viaSubtle, keys);
    for (const payload of [
      new Uint8Array(0),
      bytes("select"),
      node.crypto.getRandomValues(new Uint8Array(1000)),
    ]) {
      const a = await fast.seal(ContentType.CARD, payload);
      const b = await slow.seal(ContentType.CARD, payload);
      expect(a).toEqual(b);
      expect((await slowReader.open(a)).payload).toEqual(payload);
      expect((await fastReader.open(b)).payload).toEqual(payload);
    }
  });

  test("the fast path makes no call through crypto.subtle; the wrapper makes them all", async () => {
    const methods = ["encrypt", "decrypt", "sign", "verify", "digest", "deriveBits", "generateKey"] as const;
    const spies = methods.map((m) => jest.spyOn(node.crypto.subtle, m));
    try {
      const paired = await run(
        new PcHandshake(node, "161803", { bond: true }),
        new PhoneHandshake(node, "161803", { bonding: true }),
      );
      const linkKey = await importLinkKey(node, paired.phone.linkKey!);
      const resumed = await run(
        new PcResumeHandshake(node, {
          bondId: paired.pc.bondId!,
          linkKey: await importLinkKey(node, paired.pc.linkKey!),
        }),
        new PhoneResumeHandshake(node, async () => linkKey),
      );
      await recordsFlow(resumed.pc, resumed.phone);
      for (const s of spies) expect(s).not.toHaveBeenCalled();
      const slow = await run(new PcHandshake(viaSubtle, "161803"), new PhoneHandshake(viaSubtle, "161803"));
      await recordsFlow(slow.pc, slow.phone);
      for (const s of spies) expect(s).toHaveBeenCalled();
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  test("a link key that is not an HKDF key is refused on the fast path, as WebCrypto refuses it", async () => {
    const paired = await run(
      new PcHandshake(node, "141421", { bond: true }),
      new PhoneHandshake(node, "141421", { bonding: true }),
    );
    const phoneKey = await importLinkKey(node, paired.phone.linkKey!);
    const aesKey = await node.crypto.subtle.importKey(
      "raw",
      new Uint8Array(paired.pc.linkKey!),
      "AES-GCM",
      false,
      ["encrypt"],
    );
    for (const crypto of [node, viaSubtle]) {
      const e = await run(
        new PcResumeHandshake(crypto, { bondId: paired.pc.bondId!, linkKey: aesKey }),
        new PhoneResumeHandshake(node, async () => phoneKey),
      ).catch((x) => x);
      expect(e).toBeInstanceOf(SecureLinkError);
      expect(e.message).toMatch(/link key cannot be used/);
    }
  });
});
