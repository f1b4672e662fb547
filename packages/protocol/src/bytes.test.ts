import { bytesEqual, concatBytes, equalConstantTime, fromHex, toHex, utf8 } from "./bytes";
import { DecodeError } from "./errors";

describe("bytes", () => {
  it("writes lower-case hex of a view without its neighbours", () => {
    const whole = Uint8Array.from([0x00, 0xab, 0xcd, 0xef]);
    expect(toHex(whole)).toBe("00abcdef");
    expect(toHex(whole.subarray(1, 3))).toBe("abcd");
    expect(toHex(new Uint8Array(0))).toBe("");
  });

  it("reads hex in either case, back to the same bytes", () => {
    expect(Array.from(fromHex("00AbcD"))).toEqual([0x00, 0xab, 0xcd]);
    expect(fromHex("")).toEqual(new Uint8Array(0));
    expect(toHex(fromHex("0123456789abcdef"))).toBe("0123456789abcdef");
  });

  it.each([
    ["an odd digit count", "abc"],
    ["a non-hex digit", "0g"],
    ["white space", "00 11"],
    ["a 0x prefix", "0x00"],
  ])("refuses %s as a decodingFailure naming where", (_what, text) => {
    try {
      fromHex(text, "cards.panSecret");
      throw new Error("accepted");
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).code).toBe("decodingFailure");
      expect((e as DecodeError).where).toBe("cards.panSecret");
    }
  });

  it("concatenates into a fresh array", () => {
    const a = Uint8Array.from([1, 2]);
    const out = concatBytes([a, new Uint8Array(0), Uint8Array.from([3])]);
    expect(Array.from(out)).toEqual([1, 2, 3]);
    out[0] = 9;
    expect(a[0]).toBe(1);
    expect(concatBytes([])).toEqual(new Uint8Array(0));
  });

  it.each([
    ["bytesEqual", bytesEqual],
    ["equalConstantTime", equalConstantTime],
  ])("%s compares contents, not views", (_name, equal) => {
    const backing = Uint8Array.from([7, 1, 2, 3, 7]);
    expect(equal(backing.subarray(1, 4), Uint8Array.from([1, 2, 3]))).toBe(true);
    expect(equal(Uint8Array.from([1, 2, 3]), Uint8Array.from([1, 2, 4]))).toBe(false);
    expect(equal(Uint8Array.from([1, 2]), Uint8Array.from([1, 2, 3]))).toBe(false);
    expect(equal(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});

describe("bytesEqual on long values", () => {
  it("finds a difference in the last byte of a long value", () => {
    const a = new Uint8Array(1000).fill(5);
    const b = new Uint8Array(1000).fill(5);
    expect(bytesEqual(a, b)).toBe(true);
    b[999] = 6;
    expect(bytesEqual(a, b)).toBe(false);
  });
});

describe("utf8", () => {
  it("encodes beyond ASCII", () => {
    expect(toHex(utf8("aé€"))).toBe("61c3a9e282ac");
  });
});
