import fc from "fast-check";
import { concatBytes, fromHex, toHex } from "../bytes";
import { SetError } from "../errors";
import { codecOf, decodeDer, encodeDer } from "./codec";
import { optional, sequence, sequenceOf, setOf, withDefault } from "./constructed";
import { integer, octets, string } from "./primitives";
import { compareBytes, context, tlv, universal } from "./tlv";
import { DerWriter, writeDer } from "./writer";

/**
 * The writer is judged against `tlv`, which builds each value apart (identifier, length, content
 * in one array) and shares nothing with the writer but the identifier table.
 */
const OctetString = octets();

/** Minimal two's complement octets, by way of hex (independent of the writer's arithmetic). */
function twosComplement(n: number): Uint8Array {
  const b = fromHex(BigInt.asUintN(64, BigInt(n)).toString(16).padStart(16, "0"));
  let i = 0;
  while (i < 7 && ((b[i] === 0 && b[i + 1] < 0x80) || (b[i] === 0xff && b[i + 1] >= 0x80))) i++;
  return b.subarray(i);
}

/** What the writer holds: its buffer is private, and wiping it is what these tests check. */
const bufferOf = (w: DerWriter) => (w as unknown as { buf: Uint8Array }).buf;

describe("the back-to-front DER writer", () => {
  it.each([0, 1, 127, 128, 255, 256, 65535, 65536, 1 << 24])(
    "writes a length of %d octets as tlv does",
    (n) => {
      const content = new Uint8Array(n).fill(0x5a);
      const der = encodeDer(OctetString, content);
      // Buffer's comparison: jest's element-wise one takes minutes on 16 MB
      expect(Buffer.from(der).equals(tlv(universal(4), false, content))).toBe(true);
    },
  );

  it.each([0, 30, 31, 127, 128, 16383, 16384, 2 ** 21])("writes tag number %d as tlv does", (n) => {
    const w = new DerWriter();
    w.bytes(Uint8Array.of(1, 2));
    w.header(context(n), true, 2);
    expect(w.finish()).toEqual(tlv(context(n), true, Uint8Array.of(1, 2)));
  });

  it("grows its buffer and keeps what was written, in order", () => {
    const w = new DerWriter(1);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) parts.push(new Uint8Array(i % 17).fill(i & 0xff));
    for (let i = parts.length - 1; i >= 0; i--) {
      w.bytes(parts[i]);
      w.byte(i & 0xff);
    }
    expect(w.finish()).toEqual(concatBytes(parts.flatMap((p, i) => [Uint8Array.of(i & 0xff), p])));
  });

  it("writes UTF-8 as TextEncoder does, lone surrogates included", () => {
    const texts = [
      "",
      "plain",
      "é",
      "漢字",
      "😀",
      "a😀b",
      "\ud800",
      "\udc00x",
      "x\ud800",
      "\ud800\ud800\udc00",
    ];
    for (const text of texts) {
      const w = new DerWriter(2);
      w.utf8(text);
      expect(toHex(w.finish())).toBe(toHex(new TextEncoder().encode(text)));
    }
  });

  it("writes zero-padded digits", () => {
    const w = new DerWriter();
    w.digits(7, 4);
    w.digits(2026, 4);
    expect(new TextDecoder().decode(w.finish())).toBe("20260007");
  });

  it("truncates back to a mark and wipes what it dropped", () => {
    const w = new DerWriter(16);
    w.bytes(Uint8Array.of(1, 2, 3));
    const mark = w.length;
    w.bytes(Uint8Array.of(0xee, 0xee));
    w.truncate(mark);
    expect(w.length).toBe(3);
    expect([...bufferOf(w)].filter((b) => b === 0xee)).toEqual([]);
    expect(w.finish()).toEqual(Uint8Array.of(1, 2, 3));
  });

  it("wipes its buffer when it hands the value out and when it grows", () => {
    const w = new DerWriter(4);
    w.bytes(new Uint8Array(3).fill(0xee));
    const before = bufferOf(w);
    w.bytes(new Uint8Array(8).fill(0xee));
    expect([...before].every((b) => b === 0)).toBe(true);
    expect(w.finish()).toEqual(new Uint8Array(11).fill(0xee));
    expect([...bufferOf(w)].every((b) => b === 0)).toBe(true);
  });

  it("encodes a value that encodes another on the way (a nested writer)", () => {
    const inner = sequence({ a: integer() });
    const nested = codecOf<number>({
      tags: [universal(4)],
      spec: { kind: "any" },
      write: (w, v) => {
        const der = inner.encode({ a: v });
        w.bytes(der);
        w.header(universal(4), false, der.length);
      },
      decode: () => 0,
    });
    const Outer = sequenceOf(nested);
    const expected = tlv(
      universal(16),
      true,
      concatBytes(
        [1, 300].map((a) =>
          tlv(
            universal(4),
            false,
            tlv(
              universal(16),
              true,
              tlv(universal(2), false, a === 1 ? Uint8Array.of(1) : Uint8Array.of(1, 0x2c)),
            ),
          ),
        ),
      ),
    );
    expect(encodeDer(Outer, [1, 300])).toEqual(expected);
  });

  it("is clean after an encoding that threw half way", () => {
    const S = sequence({ a: octets(), b: string("printable") });
    expect(() => encodeDer(S, { a: new Uint8Array(40).fill(0xee), b: "not printable: é" })).toThrow(SetError);
    expect(() => encodeDer(S, { a: new Uint8Array(40).fill(0xee) } as never)).toThrow(SetError);
    expect(encodeDer(S, { a: Uint8Array.of(1), b: "ok" })).toEqual(
      tlv(
        universal(16),
        true,
        concatBytes([
          tlv(universal(4), false, Uint8Array.of(1)),
          tlv(universal(19), false, Uint8Array.of(0x6f, 0x6b)),
        ]),
      ),
    );
  });

  it("leaves a DEFAULT out only when it equals the default", () => {
    const D = sequence({ v: withDefault(integer(), 5), x: octets() });
    expect(toHex(encodeDer(D, { v: 5, x: Uint8Array.of(9) }))).toBe("3003040109");
    expect(toHex(encodeDer(D, { v: 6, x: Uint8Array.of(9) }))).toBe("3006020106040109");
  });

  it("writes SET OF in DER order whatever the order given, as sorting tlv encodings does", () => {
    const S = setOf(octets());
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 12 }), (items) => {
        const sorted = items.map((i) => tlv(universal(4), false, i)).sort(compareBytes);
        const der = encodeDer(S, items);
        expect(der).toEqual(tlv(universal(17), true, concatBytes(sorted)));
        expect(decodeDer(S, der).map((i) => toHex(tlv(universal(4), false, i)))).toEqual(sorted.map(toHex));
      }),
      { numRuns: 200 },
    );
  });

  it("writes nested values as building each apart with tlv does", () => {
    const Item = sequence({ id: octets(), n: optional(integer()), text: string("utf8") });
    const List = sequenceOf(Item);
    const reference = (list: { id: Uint8Array; n?: number; text: string }[]) =>
      tlv(
        universal(16),
        true,
        concatBytes(
          list.map((v) =>
            tlv(
              universal(16),
              true,
              concatBytes([
                tlv(universal(4), false, v.id),
                ...(v.n === undefined ? [] : [tlv(universal(2), false, twosComplement(v.n))]),
                tlv(universal(12), false, new TextEncoder().encode(v.text)),
              ]),
            ),
          ),
        ),
      );
    fc.assert(
      fc.property(
        fc.array(
          fc.record(
            {
              id: fc.uint8Array({ maxLength: 300 }),
              n: fc.integer(),
              text: fc.string({ unit: "grapheme", maxLength: 60 }),
            },
            { requiredKeys: ["id", "text"] },
          ),
          { maxLength: 8 },
        ),
        (list) => {
          expect(encodeDer(List, list)).toEqual(reference(list));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("writeDer hands out a copy the next value does not overwrite", () => {
    const a = writeDer((w, v: Uint8Array) => w.bytes(v), Uint8Array.of(1, 2, 3));
    const b = writeDer((w, v: Uint8Array) => w.bytes(v), Uint8Array.of(4, 5, 6));
    expect([...a, ...b]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
