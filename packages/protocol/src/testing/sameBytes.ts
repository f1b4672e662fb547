/**
 * Test-only: byte-array equality for property tests that compare thousands of encodings.
 *
 * Jest's `expect(a).toEqual(b)` walks a Uint8Array element by element through its generic
 * equality and captures a stack trace for every call: in the DER property tests it was two thirds
 * of the file's CPU. These compare with `bytesEqual` first and call jest's matcher only when the
 * bytes differ, so a failure still reads as jest's diff (or, outside jest, as an Error naming the
 * first differing byte).
 */
import { bytesEqual, toHex } from "../bytes";

type Expect = (actual: unknown) => { toEqual(expected: unknown): void };

/** Fails unless `actual` and `expected` hold the same bytes. */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (bytesEqual(actual, expected)) return;
  const jestExpect = (globalThis as { expect?: Expect }).expect;
  jestExpect?.(actual).toEqual(expected);
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  throw new Error(
    `bytes differ at offset ${at} (lengths ${actual.length} and ${expected.length}): ` +
      `${toHex(actual.subarray(at, at + 16))} against ${toHex(expected.subarray(at, at + 16))}`,
  );
}
