import { expectSameBytes } from "./sameBytes";

describe("expectSameBytes", () => {
  it("passes for equal bytes, whatever their buffers", () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    expect(() => expectSameBytes(backing.subarray(1, 4), new Uint8Array([1, 2, 3]))).not.toThrow();
    expect(() => expectSameBytes(new Uint8Array(0), new Uint8Array(0))).not.toThrow();
  });

  it("fails through jest's matcher for a changed byte or a different length", () => {
    expect(() => expectSameBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toThrow(/toEqual/);
    expect(() => expectSameBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toThrow(/toEqual/);
  });

  it("outside jest, fails with the first differing offset", () => {
    const saved = (globalThis as { expect?: unknown }).expect;
    (globalThis as { expect?: unknown }).expect = undefined;
    let message = "";
    try {
      expectSameBytes(new Uint8Array([1, 2, 3, 4]), new Uint8Array([1, 2, 0xff]));
    } catch (e) {
      message = (e as Error).message;
    } finally {
      (globalThis as { expect?: unknown }).expect = saved;
    }
    expect(message).toBe("bytes differ at offset 2 (lengths 4 and 3): 0304 against ff");
  });
});
