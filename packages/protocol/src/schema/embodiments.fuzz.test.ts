/**
 * The embodiment wrapper's decoder against damaged and random input: a value or a SetError, never
 * another exception, never a hang.
 */
import fc from "fast-check";
import { encodeDer } from "../asn1/codec";
import { SetError } from "../errors";
import { arbitraryOf } from "../testing/arbitrary";
import { decodeEmbodimentMessage, EmbodimentWrapper } from "./embodiments";

describe("decodeEmbodimentMessage", () => {
  it("round-trips generated messages of every alternative", () => {
    fc.assert(
      fc.property(arbitraryOf(EmbodimentWrapper), (w) => {
        const der = encodeDer(EmbodimentWrapper, { ...w, version: 1 });
        expect(encodeDer(EmbodimentWrapper, decodeEmbodimentMessage(der))).toEqual(der);
      }),
      { numRuns: 60 },
    );
  });

  it("answers truncated, extended, flipped and random bytes with a value or a SetError", () => {
    const der = arbitraryOf(EmbodimentWrapper).map((w) => encodeDer(EmbodimentWrapper, { ...w, version: 1 }));
    const damaged = fc.oneof(
      fc.tuple(der, fc.nat()).map(([d, cut]) => d.subarray(0, cut % d.length)),
      fc
        .tuple(der, fc.uint8Array({ minLength: 1, maxLength: 4 }))
        .map(([d, t]) => Uint8Array.from([...d, ...t])),
      fc.tuple(der, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([d, at, x]) => {
        const f = Uint8Array.from(d);
        f[at % f.length] ^= x;
        return f;
      }),
      fc.uint8Array({ maxLength: 128 }),
    );
    fc.assert(
      fc.property(damaged, (input) => {
        try {
          decodeEmbodimentMessage(input);
        } catch (e) {
          expect(e).toBeInstanceOf(SetError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
