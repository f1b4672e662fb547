import { fromHex, toHex } from "../bytes";
import { DecodeError } from "../errors";
import { decodeDer, decodeOwnedDer, encodeDer, type Infer } from "./codec";
import {
  anyDer,
  choice,
  explicit,
  implicit,
  optional,
  sequence,
  sequenceOf,
  setOf,
  withDefault,
} from "./constructed";
import {
  bitString,
  boolean,
  enumerated,
  generalizedTime,
  integer,
  namedBits,
  octets,
  oid,
  string,
} from "./primitives";

/** Hex as the tests write it, spaced into fields. */
const hex = (s: string) => fromHex(s.replace(/\s+/g, ""));

const Sample = sequence({
  version: integer({ min: 1, max: 1 }),
  revision: withDefault(integer({ min: 0, max: 0 }), 0),
  id: octets({ size: 2 }),
  lid: optional(implicit(0, octets({ min: 1, max: 4 }))),
  flag: optional(explicit(1, boolean())),
  names: sequenceOf(string("visible", { min: 1, max: 3 }), { min: 1, max: 2 }),
});

describe("strict DER codec core", () => {
  const value = { version: 1, revision: 0, id: hex("0102"), lid: hex("aa"), names: ["ab"] };
  // Each bad input differs from the valid content in exactly the way its label says.
  const body = { version: "020101", id: "04020102", lid: "8001aa", names: "30041a026162" };
  const seq = (content: string) => `30${(content.length / 2).toString(16).padStart(2, "0")}${content}`;
  const valid = body.version + body.id + body.lid + body.names;
  const der = hex(seq(valid));

  it("encodes to the exact DER and decodes back", () => {
    expect(toHex(encodeDer(Sample, value))).toBe(seq(valid));
    expect(decodeDer(Sample, encodeDer(Sample, value))).toEqual(value);
  });

  const bad: [string, string][] = [
    ["trailing garbage", `${seq(valid)}00`],
    ["truncated", seq(valid).slice(0, -2)],
    ["long-form length where short form fits", `3081${seq(valid).slice(2)}`],
    ["indefinite length", `3080${valid}0000`],
    ["DEFAULT value present", seq(`${body.version}020100${body.id}${body.lid}${body.names}`)],
    ["version out of range", seq(`020102${body.id}${body.lid}${body.names}`)],
    ["wrong fixed size", seq(`${body.version}0403010203${body.lid}${body.names}`)],
    ["missing required field", seq(body.version + body.id + body.lid)],
    ["non-minimal INTEGER", seq(`02020001${body.id}${body.lid}${body.names}`)],
    ["empty SEQUENCE OF below SIZE(1..)", seq(`${body.version + body.id + body.lid}3000`)],
    ["unexpected field", seq(`${valid}0500`)],
    ["character outside VisibleString", seq(`${body.version + body.id + body.lid}30041a02610a`)],
  ];
  it.each(bad)("rejects %s with decodingFailure", (_why, input) => {
    expect(() => decodeDer(Sample, hex(input))).toThrow(DecodeError);
    try {
      decodeDer(Sample, hex(input));
    } catch (e) {
      expect((e as DecodeError).code).toBe("decodingFailure");
    }
  });

  it("accepts the reference encoding", () => {
    expect(decodeDer(Sample, der)).toEqual({ ...value, names: ["ab"] });
  });

  it("BOOLEAN must be FF for true", () => {
    const B = boolean();
    expect(decodeDer(B, hex("0101ff"))).toBe(true);
    expect(() => decodeDer(B, hex("010101"))).toThrow(DecodeError);
  });

  it("OBJECT IDENTIFIER round-trips SET's arc and rejects non-minimal arcs", () => {
    const O = oid();
    expect(toHex(encodeDer(O, "2.23.42.0.3"))).toBe("0604672a0003");
    expect(decodeDer(O, hex("0604672a0003"))).toBe("2.23.42.0.3");
    expect(() => decodeDer(O, hex("0605672a800003"))).toThrow(DecodeError);
  });

  it("named bits drop trailing zeros and reject them on input", () => {
    const T = namedBits(["card", "mer", "pgwy"] as const);
    expect(toHex(encodeDer(T, ["mer"]))).toBe("03020640");
    expect(decodeDer(T, hex("03020640"))).toEqual(["mer"]);
    expect(() => decodeDer(T, hex("03020540"))).toThrow(DecodeError);
  });

  it("SET OF must be sorted", () => {
    const S = setOf(integer());
    expect(toHex(encodeDer(S, [3, 1]))).toBe("3106020101020103");
    expect(() => decodeDer(S, hex("3106020103020101"))).toThrow(DecodeError);
  });

  it("CHOICE picks by tag and rejects unknown tags", () => {
    const C = choice({ a: implicit(0, integer()), b: explicit(1, integer()) });
    expect(decodeDer(C, hex("a103020105"))).toEqual({ type: "b", value: 5 });
    expect(() => decodeDer(C, hex("820105"))).toThrow(DecodeError);
  });

  it("ENUMERATED rejects unknown values", () => {
    const E = enumerated({ x: 0, y: 1 });
    expect(decodeDer(E, hex("0a0101"))).toBe("y");
    expect(() => decodeDer(E, hex("0a0102"))).toThrow(DecodeError);
  });

  it("GeneralizedTime is whole seconds in Z form", () => {
    const G = generalizedTime();
    const d = new Date(Date.UTC(2026, 10, 25, 19, 30, 0));
    expect(Buffer.from(encodeDer(G, d)).toString("latin1").slice(2)).toBe("20261125193000Z");
    expect(decodeDer(G, encodeDer(G, d))).toEqual(d);
    expect(() => decodeDer(G, hex("1811323032363131323531393330303030305a"))).toThrow(DecodeError);
    expect(() => decodeDer(G, hex("180f32303236313333323139333030305a"))).toThrow(DecodeError);
  });

  it.each([
    "202611251930Z", // no seconds
    "20261125193000", // no Z
    "20261125193000+0100",
    "2026112519300aZ",
    "2026x125193000Z",
    "20260230000000Z", // 30 February
    "20261125240000Z",
    "20261125196000Z",
    "20261125193060Z",
    "00501125193000Z", // a year before 100 reads as 19YY in Date.UTC: refused, not shifted
    "20261125193000Z0",
  ])("GeneralizedTime refuses %s", (text) => {
    const G = generalizedTime();
    const der = Uint8Array.from([0x18, text.length, ...Buffer.from(text, "latin1")]);
    expect(() => decodeDer(G, der)).toThrow(DecodeError);
  });

  it("GeneralizedTime reads every field of the date", () => {
    const G = generalizedTime();
    const der = Uint8Array.from([0x18, 15, ...Buffer.from("19991231235958Z", "latin1")]);
    expect(decodeDer(G, der)).toEqual(new Date(Date.UTC(1999, 11, 31, 23, 59, 58)));
  });

  it("hostile nesting is a DecodeError, not a stack overflow", () => {
    const deep = new Uint8Array(200000);
    for (let i = 0; i < deep.length; i += 2) {
      deep[i] = 0x30;
      deep[i + 1] = 0x80;
    }
    expect(() => decodeDer(Sample, deep)).toThrow(DecodeError);
  });
});

describe("decodeOwnedDer: byte values are views on the owned input, decodeDer's are copies", () => {
  const Bytes = sequence({
    id: octets(),
    key: bitString(),
    inner: anyDer(),
    list: sequenceOf(octets()),
  });
  const value = {
    id: hex("0102"),
    key: { bytes: hex("a0b0"), unusedBits: 0 },
    inner: hex("04 01 7f"),
    list: [hex("01"), hex("0203")],
  };
  const byteFields = (v: Infer<typeof Bytes>) => [v.id, v.key.bytes, v.inner, ...v.list];

  it("owned: the same values, every byte field on the input's buffer", () => {
    const der = encodeDer(Bytes, value);
    const owned = decodeOwnedDer(Bytes, der);
    expect(owned).toEqual(value);
    for (const field of byteFields(owned)) expect(field.buffer).toBe(der.buffer);
  });

  it("not owned: copies, which a change to the input does not reach", () => {
    const der = encodeDer(Bytes, value);
    const copied = decodeDer(Bytes, der);
    for (const field of byteFields(copied)) expect(field.buffer).not.toBe(der.buffer);
    der.fill(0);
    expect(copied).toEqual(value);
  });

  it("owned input is checked as strictly: the same DecodeError", () => {
    const der = encodeDer(Bytes, value);
    const bad = Uint8Array.from([...der, 0]);
    expect(() => decodeOwnedDer(Bytes, bad)).toThrow(/trailing/);
  });
});

describe("number and text fast paths agree with the general ones", () => {
  const I = integer();
  const edges = [0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769];
  const wide = [2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 47, -(2 ** 47), 2 ** 48, 2 ** 53 - 1];
  it.each([...edges, ...wide])("INTEGER %d round-trips through its minimal two's complement", (n) => {
    const der = encodeDer(I, n);
    const bits = BigInt.asUintN(8 * (der.length - 2), BigInt(n));
    expect(BigInt(`0x${toHex(der.subarray(2))}`)).toBe(bits);
    expect(decodeDer(I, der)).toBe(n);
    if (der.length > 3) {
      const padded = Uint8Array.from([0x02, der[1] + 1, n < 0 ? 0xff : 0x00, ...der.subarray(2)]);
      expect(() => decodeDer(I, padded)).toThrow(DecodeError);
    }
  });

  it("long ASCII and non-ASCII strings decode as UTF-8", () => {
    const U = string("utf8");
    for (const text of ["a".repeat(300), `${"é".repeat(200)}漢`, "x".repeat(70000)])
      expect(decodeDer(U, encodeDer(U, text))).toBe(text);
    expect(() => decodeDer(U, hex("0c02c328"))).toThrow(DecodeError);
  });
});
