import fc from "fast-check";
import { fromHex, toHex } from "../bytes";
import { DecodeError, SetError } from "../errors";
import { registry } from "../schema/registry";
import { arbitraryOf } from "../testing/arbitrary";
import { expectSameBytes } from "../testing/sameBytes";
import { decodeDer, encodeDer, nodeBytes, nodeChildren, parseOne } from "./codec";
import { MAX_DEPTH, readDerShallow } from "./der";

/** Hex as the tests write it, spaced into fields. */
const hex = (s: string) => fromHex(s.replace(/\s+/g, ""));

describe("the DER reader refuses every non-DER framing", () => {
  const bad: [string, string][] = [
    ["nothing at all", ""],
    ["an identifier without a length", "30"],
    ["indefinite length", "3080020101 0000"],
    ["long-form length where the short form fits", "308103020101"],
    ["a length with a leading zero octet", "30820003020101"],
    ["a length of five octets", "3085000000000300"],
    ["a length past the end", "3004020101"],
    ["a child running past its parent", "3003020201 00"],
    ["trailing bytes", "020101 00"],
    ["end-of-contents octets", "0000"],
    ["a high tag-number form for a small tag", "9f0500"],
    ["a high tag number with a leading 0x80 octet", "9f801f00"],
    ["a tag number of five octets", "9f8181818101 00"],
    ["a constructed INTEGER", "2203020101"],
    ["a constructed OCTET STRING", "2403040100"],
    ["a primitive SEQUENCE", "1000"],
    ["a primitive SET", "1100"],
    ["BOOLEAN 01", "010101"],
    ["BOOLEAN of two octets", "0102ffff"],
    ["an empty INTEGER", "0200"],
    ["a non-minimal positive INTEGER", "02020001"],
    ["a non-minimal negative INTEGER", "0202ff80"],
    ["a NULL with content", "050100"],
    ["an empty BIT STRING", "0300"],
    ["eight unused bits", "03020800"],
    ["unused bits on an empty BIT STRING", "030101"],
    ["non-zero unused bits", "03020101"],
    ["an empty OBJECT IDENTIFIER", "0600"],
    ["a truncated OBJECT IDENTIFIER arc", "0602 2a86"],
    ["an OBJECT IDENTIFIER arc with a leading 0x80", "0603 2a8001"],
    ["a UniversalString of part of a character", "1c0141"],
    ["a BMPString of part of a character", "1e0100"],
    ["a bad value nested inside an unknown context tag", "a203 010101"],
  ];
  it.each(bad)("refuses %s with decodingFailure", (_why, input) => {
    let thrown: unknown;
    try {
      parseOne(hex(input), "value");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DecodeError);
    expect((thrown as DecodeError).code).toBe("decodingFailure");
  });

  it("reads well-formed DER, including long lengths and high tag numbers", () => {
    const content = new Uint8Array(300).fill(7);
    const der = new Uint8Array([0x04, 0x82, 0x01, 0x2c, ...content]);
    const node = parseOne(der, "value");
    expect(node.content).toEqual(content);
    const high = parseOne(hex("bf8148 03 020105"), "value");
    expect(high.children).toHaveLength(1);
    expect(high.children[0].content).toEqual(hex("05"));
  });

  it(`stops hostile nesting at depth ${MAX_DEPTH}, not at the stack limit`, () => {
    const wrap = (inner: Uint8Array) => {
      const len = inner.length;
      const head =
        len < 0x80 ? [0x30, len] : len < 0x100 ? [0x30, 0x81, len] : [0x30, 0x82, len >> 8, len & 0xff];
      return new Uint8Array([...head, ...inner]);
    };
    let ok = hex("0500");
    for (let i = 0; i < MAX_DEPTH; i++) ok = wrap(ok);
    expect(() => parseOne(ok, "value")).not.toThrow();
    expect(() => parseOne(wrap(ok), "value")).toThrow(/nesting deeper/);
  });
});

/**
 * The properties that let the reader drop the decode-then-re-encode comparison: generated values
 * round-trip, and any one-byte change of a valid encoding is either refused with a typed error or
 * decodes to a value whose own encoding is exactly the changed bytes (so no second encoding of a
 * value is ever accepted).
 */
describe("every type of the module under the DER reader", () => {
  const types = registry.filter((t) => t.codec.spec.kind === "named");

  it.each(types.map((t) => [t.asn1Name, t] as const))("%s round-trips generated values", (_name, t) => {
    fc.assert(
      fc.property(arbitraryOf(t.codec), (value) => {
        let der: Uint8Array;
        try {
          der = encodeDer(t.codec, value);
        } catch (e) {
          // The generator may produce a value outside a constraint only the encoder checks.
          if (!(e instanceof SetError)) throw e;
          return;
        }
        expectSameBytes(encodeDer(t.codec, decodeDer(t.codec, der)), der);
      }),
      { numRuns: 10 },
    );
  });

  it.each(types.map((t) => [t.asn1Name, t] as const))(
    "%s: a one-byte change is refused or is the canonical encoding of what it decodes to",
    (_name, t) => {
      const sample = fc.sample(arbitraryOf(t.codec), { numRuns: 2, seed: 42 });
      for (const value of sample) {
        let der: Uint8Array;
        try {
          der = encodeDer(t.codec, value);
        } catch {
          continue;
        }
        fc.assert(
          fc.property(fc.nat({ max: der.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
            const mutated = new Uint8Array(der);
            mutated[at] ^= xor;
            let decoded: unknown;
            try {
              decoded = decodeDer(t.codec, mutated);
            } catch (e) {
              if (!(e instanceof SetError)) throw e;
              return;
            }
            expectSameBytes(encodeDer(t.codec, decoded), mutated);
          }),
          { numRuns: 40 },
        );
      }
    },
  );
});

describe("a copy cut from a value is walked again unless its tree was walked", () => {
  // SEQUENCE { SEQUENCE { OCTET STRING (600 octets), INTEGER 00 01 } }: long enough to be
  // remembered when cut from a walked tree, and its INTEGER is not minimally encoded.
  const padding = `0482 0258 ${"00".repeat(600)}`;
  const inner = (integer: string) => hex(`3082 0260 ${padding} ${integer}`);
  const outer = (integer: string) => hex(`3082 0264 ${toHex(inner(integer))}`);

  it("a copy cut from a shallow read is walked when read, and its bad INTEGER refused", () => {
    const copy = nodeBytes(nodeChildren(readDerShallow(outer("02020001"), "value"))[0]);
    expect(copy.length).toBeGreaterThanOrEqual(512);
    expect(() => parseOne(copy, "copy")).toThrow(/INTEGER not minimally encoded/);
  });

  it("the same bytes fresh are refused; a copy cut from a walked tree reads back the same value", () => {
    expect(() => parseOne(outer("02020001"), "value")).toThrow(/INTEGER not minimally encoded/);
    const copy = nodeBytes(nodeChildren(parseOne(outer("02020080"), "value"))[0]);
    expect(copy).toEqual(inner("02020080"));
    expect(nodeBytes(nodeChildren(parseOne(copy, "copy"))[1])).toEqual(hex("02020080"));
  });

  it("a copy cut from a walked tree is the library's own: what is cut from it is a view on it", () => {
    const copy = nodeBytes(nodeChildren(parseOne(outer("02020080"), "value"))[0]);
    const kept = nodeBytes(nodeChildren(parseOne(copy, "copy"))[1]);
    expect(kept.buffer).toBe(copy.buffer);
    // The caller's own bytes are not: what is cut from them is a copy.
    const fresh = inner("02020080");
    expect(nodeBytes(nodeChildren(parseOne(fresh, "fresh"))[1]).buffer).not.toBe(fresh.buffer);
  });
});
