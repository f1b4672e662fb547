/**
 * The record layer: in-order records open; a replayed, reordered, truncated, bit-flipped or foreign
 * record is refused and the reader is dead afterwards; random bytes never crash it (fast-check).
 */

import fc from "fast-check";
import { nodeProvider } from "../../crypto/provider";
import { ContentType, MIN_RECORD, RecordReader, RecordWriter, SecureLinkError } from "./index";

const p = nodeProvider();

async function direction() {
  const key = await p.crypto.subtle.importKey(
    "raw",
    p.crypto.getRandomValues(new Uint8Array(32)),
    "AES-GCM",
    false,
    ["encrypt", "decrypt"],
  );
  const keys = { key, iv: p.crypto.getRandomValues(new Uint8Array(12)) };
  return { writer: new RecordWriter(p, keys), reader: () => new RecordReader(p, keys) };
}

const bytes = (s: string) => new TextEncoder().encode(s);

async function refused(reader: RecordReader, record: Uint8Array, why: RegExp) {
  const e = await reader.open(record).catch((x) => x);
  expect(e).toBeInstanceOf(SecureLinkError);
  expect(e.kind).toBe("record");
  expect(e.message).toMatch(why);
  expect(reader.dead).toBe(true);
}

describe("record layer", () => {
  test("records open in order, with their content type and sequence number", async () => {
    const d = await direction();
    const reader = d.reader();
    for (let i = 0; i < 3; i++) {
      const r = await reader.open(await d.writer.seal(ContentType.CARD, bytes(`cmd ${i}`)));
      expect(r).toEqual({ seq: BigInt(i), contentType: ContentType.CARD, payload: bytes(`cmd ${i}`) });
    }
    const empty = await reader.open(await d.writer.seal(ContentType.CONTEXT, new Uint8Array(0)));
    expect(empty.payload).toHaveLength(0);
  });

  test("the same payload twice gives different records (the nonce moves)", async () => {
    const d = await direction();
    const a = await d.writer.seal(ContentType.CARD, bytes("same"));
    const b = await d.writer.seal(ContentType.CARD, bytes("same"));
    expect(Buffer.from(a.subarray(9)).equals(Buffer.from(b.subarray(9)))).toBe(false);
  });

  test("a replayed record is refused and the link is dead", async () => {
    const d = await direction();
    const reader = d.reader();
    const r0 = await d.writer.seal(ContentType.CARD, bytes("a"));
    const r1 = await d.writer.seal(ContentType.CARD, bytes("b"));
    await reader.open(r0);
    await refused(reader, r0, /replayed/);
    // even the legitimate next record is refused now
    await expect(reader.open(r1)).rejects.toMatchObject({ kind: "closed" });
  });

  test("a reordered record is refused", async () => {
    const d = await direction();
    const reader = d.reader();
    await d.writer.seal(ContentType.CARD, bytes("a"));
    const r1 = await d.writer.seal(ContentType.CARD, bytes("b"));
    await refused(reader, r1, /out of order/);
  });

  test("a record with its sequence number rewritten to the expected one fails authentication", async () => {
    const d = await direction();
    const reader = d.reader();
    await d.writer.seal(ContentType.CARD, bytes("a"));
    const r1 = await d.writer.seal(ContentType.CARD, bytes("b"));
    r1[8] = 0;
    await refused(reader, r1, /authentication/);
  });

  test("each single bit flip anywhere in a record is refused", async () => {
    const d = await direction();
    const record = await d.writer.seal(ContentType.CARD, bytes("VERIFY_PIN 1234"));
    for (let i = 0; i < record.length * 8; i++) {
      const copy = record.slice();
      copy[i >> 3] ^= 1 << (i & 7);
      await expect(d.reader().open(copy)).rejects.toBeInstanceOf(SecureLinkError);
    }
    await refused(
      d.reader(),
      Uint8Array.from(record, (b, i) => (i === record.length - 1 ? b ^ 0x80 : b)),
      /authentication/,
    );
    expect((await d.reader().open(record)).payload).toEqual(bytes("VERIFY_PIN 1234"));
  });

  test("a truncated record is refused, whether shorter than a record or just missing tag bytes", async () => {
    const d = await direction();
    const record = await d.writer.seal(ContentType.CARD, bytes("a longer command body"));
    await refused(d.reader(), record.subarray(0, record.length - 1), /authentication/);
    await refused(d.reader(), record.subarray(0, MIN_RECORD - 1), /truncated/);
    await refused(d.reader(), record.subarray(0, 9), /truncated/);
  });

  test("a record of the other direction or another key is refused", async () => {
    const a = await direction();
    const b = await direction();
    await refused(b.reader(), await a.writer.seal(ContentType.CARD, bytes("x")), /authentication/);
  });

  test("a handshake message where a record belongs is refused", async () => {
    const d = await direction();
    const fake = await d.writer.seal(ContentType.CARD, bytes("x"));
    fake[0] = 0x02;
    await refused(d.reader(), fake, /not a record/);
  });

  test("random bytes never crash the reader: always a clean SecureLinkError", async () => {
    const d = await direction();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (junk) => {
        const reader = d.reader();
        const e = await reader.open(junk).then(
          () => undefined,
          (x) => x,
        );
        expect(e).toBeInstanceOf(SecureLinkError);
        expect(reader.dead).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test("a mutated record (random byte edits, cuts, extensions) is never accepted", async () => {
    const d = await direction();
    const record = await d.writer.seal(ContentType.CARD, bytes("PURCHASE {...}"));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            kind: fc.constant("edit"),
            at: fc.nat(record.length - 1),
            xor: fc.integer({ min: 1, max: 255 }),
          }),
          fc.record({ kind: fc.constant("cut"), at: fc.nat(record.length - 1), xor: fc.constant(0) }),
          fc.record({ kind: fc.constant("extend"), at: fc.integer({ min: 1, max: 40 }), xor: fc.nat(255) }),
        ),
        async ({ kind, at, xor }) => {
          let mutated: Uint8Array;
          if (kind === "edit") {
            mutated = record.slice();
            mutated[at] ^= xor;
          } else if (kind === "cut") mutated = record.slice(0, at);
          else mutated = new Uint8Array([...record, ...new Uint8Array(at).fill(xor)]);
          await expect(d.reader().open(mutated)).rejects.toBeInstanceOf(SecureLinkError);
        },
      ),
      { numRuns: 300 },
    );
  });
});
