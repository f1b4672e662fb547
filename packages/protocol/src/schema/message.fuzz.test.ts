import fc from "fast-check";
import { SetError } from "../errors";
import { arbitraryOf } from "../testing/arbitrary";
import { decodeMessage, encodeMessage, MessageWrapper } from "./message";

/**
 * decodeMessage is what every server runs on untrusted bytes first: whatever arrives, it must
 * return a message or throw a SetError carrying an ErrorCode, never another exception.
 */
describe("decodeMessage under random and mutated input", () => {
  // SET 1.0's version, and wrapper extensions marked non-critical (a critical unknown one is refused, as tested elsewhere).
  const wrappers = arbitraryOf(MessageWrapper).map((w) => ({
    ...w,
    messageHeader: { ...w.messageHeader, version: 1, revision: 0 },
    mwExtensions: w.mwExtensions?.map((e) => ({ ...e, critical: false })),
  }));

  it("decodes every generated message that carries SET 1.0's version", () => {
    fc.assert(
      fc.property(wrappers, (w) => {
        const der = encodeMessage(w);
        expect(encodeMessage(decodeMessage(der))).toEqual(der);
      }),
      { numRuns: 100 },
    );
  });

  it("answers mutations with a message or a SetError", () => {
    const mutated = fc
      .tuple(wrappers, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 2 }))
      .map(([w, at, xor, how]) => {
        const der = encodeMessage(w);
        const i = at % der.length;
        if (how === 0) return der.subarray(0, i);
        if (how === 1) return Uint8Array.from([...der.subarray(0, i), xor, ...der.subarray(i)]);
        const copy = new Uint8Array(der);
        copy[i] ^= xor;
        return copy;
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 256 })), (input) => {
        try {
          decodeMessage(input);
        } catch (e) {
          expect(e).toBeInstanceOf(SetError);
        }
      }),
      { numRuns: 400 },
    );
  });
});
