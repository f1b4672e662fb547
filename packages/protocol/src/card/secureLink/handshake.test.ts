/**
 * The handshake state machines against each other in memory, across both WebCrypto stacks (node's
 * and @peculiar/webcrypto), and against a man in the middle who substitutes its own ECDH keys.
 */
import { nodeProvider, peculiarProvider } from "../../crypto/provider";
import {
  alertFrame,
  ContentType,
  decodeHandshake,
  encodeHandshake,
  type HandshakeStep,
  PcHandshake,
  PhoneHandshake,
  SecureLinkError,
  type SecureSession,
} from "./index";

const node = nodeProvider();
const peculiar = peculiarProvider();

/** Run both machines to the end; returns both sessions or the first error. */
async function pair(
  pc: PcHandshake,
  phone: PhoneHandshake,
): Promise<{ pc: SecureSession; phone: SecureSession }> {
  let toPhone = [...(await pc.start()).send];
  let pcSession: SecureSession | undefined;
  let phoneSession: SecureSession | undefined;
  while (toPhone.length > 0) {
    const toPc: Uint8Array[] = [];
    for (const f of toPhone) {
      const s: HandshakeStep = await phone.step(f);
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

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

describe("secure link handshake", () => {
  const stacks = { node, peculiar };
  test.each([
    ["node", "node"],
    ["node", "peculiar"],
    ["peculiar", "node"],
  ] as const)("pairs with the right code (PC %s, phone %s) and records flow both ways", async (a, b) => {
    const pcProvider = stacks[a];
    const phoneProvider = stacks[b];
    const { pc, phone } = await pair(
      new PcHandshake(pcProvider, "042917"),
      new PhoneHandshake(phoneProvider, "042917"),
    );
    expect(pc.sessionId).toEqual(phone.sessionId);
    const r1 = await phone.reader.open(await pc.writer.seal(ContentType.CARD, bytes("select")));
    expect(text(r1.payload)).toBe("select");
    const r2 = await pc.reader.open(await phone.writer.seal(ContentType.CARD, bytes("9000")));
    expect(text(r2.payload)).toBe("9000");
  });

  test("the PC may ask for the code after the phone's HELLO", async () => {
    let asked = 0;
    const { pc } = await pair(
      new PcHandshake(node, async () => {
        asked++;
        return "999999";
      }),
      new PhoneHandshake(node, "999999"),
    );
    expect(asked).toBe(1);
    expect(pc.sessionId).toHaveLength(16);
  });

  test.each(["123457", "923456", "000000", "123450"])(
    "a wrong code (%s for 123456) is refused by the phone",
    async (wrong) => {
      const phone = new PhoneHandshake(node, "123456");
      const e = await pair(new PcHandshake(node, wrong), phone).catch((x) => x);
      expect(e).toBeInstanceOf(SecureLinkError);
      expect(e.kind).toBe("pairing");
      expect(phone.complete).toBe(false);
      // the machine is dead after a failure
      await expect(
        phone.step(encodeHandshake({ type: "reveal", nonce: new Uint8Array(16) })),
      ).rejects.toMatchObject({ kind: "closed" });
    },
  );

  test("a code that is not 6 digits is refused on both sides", async () => {
    expect(() => new PhoneHandshake(node, "12345")).toThrow(/6 digits/);
    const e = await pair(new PcHandshake(node, "12a456"), new PhoneHandshake(node, "123456")).catch((x) => x);
    expect(e).toMatchObject({ kind: "pairing", message: expect.stringMatching(/6 digits/) });
  });

  test("fresh ECDH keys per connection: HELLOs and session ids differ, records do not cross sessions", async () => {
    const a = await pair(new PcHandshake(node, "111111"), new PhoneHandshake(node, "111111"));
    const b = await pair(new PcHandshake(node, "111111"), new PhoneHandshake(node, "111111"));
    expect(a.pc.sessionId).not.toEqual(b.pc.sessionId);
    const helloA = await new PcHandshake(node, "111111").start();
    const helloB = await new PcHandshake(node, "111111").start();
    expect(helloA.send[0]).not.toEqual(helloB.send[0]);
    const record = await a.pc.writer.seal(ContentType.CARD, bytes("x"));
    await expect(b.phone.reader.open(record)).rejects.toMatchObject({ kind: "record" });
  });

  test("out-of-order, unknown and garbage handshake messages are refused", async () => {
    const phone = new PhoneHandshake(node, "123456");
    await expect(
      phone.step(encodeHandshake({ type: "commit", commitment: new Uint8Array(32) })),
    ).rejects.toMatchObject({ kind: "handshake", message: "expected HELLO, got COMMIT" });
    await expect(
      new PhoneHandshake(node, "123456").step(Uint8Array.of(0x80, 0xa4, 0, 0)),
    ).rejects.toMatchObject({ kind: "handshake" });
    await expect(new PhoneHandshake(node, "123456").step(new Uint8Array(0))).rejects.toMatchObject({
      kind: "handshake",
    });
    const badVersion = encodeHandshake({
      type: "hello",
      version: 2,
      flags: 0,
      publicKey: (await new PcHandshake(node, "123456").start()).send[0].slice(3),
    });
    badVersion[1] = 1;
    await expect(new PhoneHandshake(node, "123456").step(badVersion)).rejects.toMatchObject({
      message: /version 1 is not 2/,
    });
    const reservedFlag = (await new PcHandshake(node, "123456").start()).send[0].slice();
    reservedFlag[2] = 0x02;
    await expect(new PhoneHandshake(node, "123456").step(reservedFlag)).rejects.toMatchObject({
      kind: "handshake",
      message: /reserved bits/,
    });
    const offCurve = new Uint8Array(65);
    offCurve[0] = 4;
    offCurve[64] = 7;
    await expect(
      new PhoneHandshake(node, "123456").step(
        encodeHandshake({ type: "hello", version: 2, flags: 0, publicKey: offCurve }),
      ),
    ).rejects.toMatchObject({ kind: "handshake", message: /not a point/ });
    const pc = new PcHandshake(node, "123456");
    await expect(pc.step(new Uint8Array(1))).rejects.toMatchObject({ message: /not started/ });
  });

  test("a phone that reflects the PC's own key back is refused", async () => {
    const pc = new PcHandshake(node, "123456");
    const [hello] = (await pc.start()).send;
    await expect(pc.step(hello)).rejects.toMatchObject({ kind: "handshake", message: /our own public key/ });
  });

  test("an ALERT from the phone ends the PC's handshake with the reason", async () => {
    const pc = new PcHandshake(node, "123456");
    await pc.start();
    await expect(pc.step(encodeHandshake({ type: "alert", reason: 2 }))).rejects.toMatchObject({
      kind: "locked",
    });
    const pc2 = new PcHandshake(node, "123456");
    await pc2.start();
    await expect(pc2.step(encodeHandshake({ type: "alert", reason: 1 }))).rejects.toMatchObject({
      kind: "pairing",
    });
    const pc3 = new PcHandshake(node, "123456");
    await pc3.start();
    await expect(pc3.step(alertFrame("busy"))).rejects.toMatchObject({ kind: "busy" });
  });

  test("a modified FINISHED fails key confirmation", async () => {
    const pc = new PcHandshake(node, "314159");
    const phone = new PhoneHandshake(node, "314159");
    let toPhone = [...(await pc.start()).send];
    let failure: unknown;
    for (let guard = 0; guard < 200 && toPhone.length > 0 && !failure; guard++) {
      const next: Uint8Array[] = [];
      for (const f of toPhone) {
        const m = decodeHandshake(f);
        const frame = m.type === "finished" ? Uint8Array.from(f, (b, i) => (i === 5 ? b ^ 1 : b)) : f;
        try {
          for (const out of (await phone.step(frame)).send) next.push(...(await pc.step(out)).send);
        } catch (e) {
          failure = e;
        }
      }
      toPhone = next;
    }
    expect(failure).toMatchObject({ kind: "pairing", message: /key confirmation/ });
  });
});

describe("an active man in the middle", () => {
  /**
   * The MITM runs its own PhoneHandshake towards the PC and its own PcHandshake towards the phone,
   * with its own ECDH keys, and relays the honest parties' commitments and reveals between them
   * (the only pairing proofs it has, since it does not know the code).
   */
  test("relaying the pairing rounds under its own keys fails at the first reveal", async () => {
    const code = "527193";
    const pc = new PcHandshake(node, code);
    const phone = new PhoneHandshake(node, code);
    const mitmTowardsPhone = new PcHandshake(node, "000000");
    const [pcHello] = (await pc.start()).send;
    const [mitmHello] = (await mitmTowardsPhone.start()).send;
    // the phone sees the MITM's key, the PC sees another MITM key
    const [phoneHello] = (await phone.step(mitmHello)).send;
    expect(decodeHandshake(phoneHello).type).toBe("hello");
    const mitmTowardsPc = new PhoneHandshake(node, "000000");
    const [fakePhoneHello] = (await mitmTowardsPc.step(pcHello)).send;
    const [pcCommit] = (await pc.step(fakePhoneHello)).send;
    // relay the PC's commitment to the phone; the phone answers with its own
    const [phoneCommit] = (await phone.step(pcCommit)).send;
    // relay the phone's commitment to the PC; the PC reveals its nonce; relay that to the phone
    const [pcReveal] = (await pc.step(phoneCommit)).send;
    const e = await phone.step(pcReveal).catch((x) => x);
    expect(e).toMatchObject({ kind: "pairing" });
  });

  /** Both machines through the HELLOs: the PC's first COMMIT is the next frame for the phone. */
  async function toFirstCommit(code: string) {
    const pc = new PcHandshake(node, code);
    const phone = new PhoneHandshake(node, code);
    const [hello] = (await pc.start()).send;
    const [phoneHello] = (await phone.step(hello)).send;
    const [commit] = (await pc.step(phoneHello)).send;
    return { pc, phone, commit };
  }

  test("the PC sends each round's REVEAL with the next round's COMMIT; the last REVEAL alone", async () => {
    const first = await toFirstCommit("314159");
    const { pc, phone } = first;
    let commit = first.commit;
    const shapes: string[] = [];
    for (let round = 0; round < 20; round++) {
      const [phoneCommit] = (await phone.step(commit)).send;
      const out = (await pc.step(phoneCommit)).send;
      shapes.push(out.map((f) => decodeHandshake(f).type).join("+"));
      const [phoneReveal] = (await phone.step(out[0])).send;
      const after = (await pc.step(phoneReveal)).send;
      if (round < 19) {
        expect(after).toEqual([]);
        commit = out[1];
      } else expect(after.map((f) => decodeHandshake(f).type)).toEqual(["finished"]);
    }
    expect(shapes).toEqual([...Array(19).fill("reveal+commit"), "reveal"]);
  });

  test("a REVEAL of the phone that does not open ends the PC's pairing: its early COMMIT is never opened", async () => {
    const { pc, phone, commit } = await toFirstCommit("314159");
    const [phoneCommit] = (await phone.step(commit)).send;
    const [reveal, early] = (await pc.step(phoneCommit)).send;
    expect(decodeHandshake(early).type).toBe("commit");
    const [phoneReveal] = (await phone.step(reveal)).send;
    expect(decodeHandshake(phoneReveal).type).toBe("reveal");
    const forged = encodeHandshake({ type: "reveal", nonce: new Uint8Array(16) });
    await expect(pc.step(forged)).rejects.toMatchObject({ kind: "pairing" });
    // Dead from then on: no COMMIT of the phone gets the nonce that opens the early COMMIT.
    const [nextCommit] = (await phone.step(early)).send;
    await expect(pc.step(nextCommit)).rejects.toMatchObject({ kind: "closed" });
  });

  test("guessing the bits itself passes a round only when the guess is right, and dies on the first wrong one", async () => {
    // The MITM faces the phone with its own key and commits to guessed bits (all zeros here);
    // code 800000 starts with bit 1, so the very first reveal is refused.
    const phone = new PhoneHandshake(node, "800000");
    const mitm = new PcHandshake(node, "000000");
    let frames = [...(await mitm.start()).send];
    const e = await (async () => {
      for (let i = 0; i < 200; i++) {
        const out: Uint8Array[] = [];
        for (const f of frames)
          for (const o of (await phone.step(f)).send) out.push(...(await mitm.step(o)).send);
        frames = out;
      }
    })().catch((x) => x);
    expect(e).toMatchObject({ kind: "pairing" });
  });
});
