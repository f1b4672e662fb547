import fc from "fast-check";
import { decodeDer, encodeDer } from "../asn1/codec";
import { DecodeError } from "../errors";
import { arbitraryOf } from "../testing/arbitrary";
import { expectSameBytes } from "../testing/sameBytes";
import { registry } from "./registry";

describe.each(registry.map((t) => [t.asn1Name, t] as const))("%s", (_name, { codec }) => {
  it("round-trips generated values byte for byte", () => {
    fc.assert(
      fc.property(arbitraryOf(codec), (value) => {
        const der = encodeDer(codec, value);
        expectSameBytes(encodeDer(codec, decodeDer(codec, der)), der);
      }),
      { numRuns: 25 },
    );
  });

  it("answers mutated, truncated and random input with a value or a DecodeError, nothing else", () => {
    const mutated = fc
      .tuple(arbitraryOf(codec), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 3 }))
      .map(([value, at, xor, how]) => {
        const der = encodeDer(codec, value);
        const i = at % der.length;
        if (how === 0) return der.subarray(0, i);
        if (how === 1) return Uint8Array.from([...der, xor]);
        const copy = new Uint8Array(der);
        copy[i] ^= xor;
        return copy;
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 64 })), (input) => {
        try {
          decodeDer(codec, input);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }),
      { numRuns: 60 },
    );
  });
});
