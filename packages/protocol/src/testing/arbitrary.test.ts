import fc from "fast-check";
import { decodeDer, encodeDer } from "../asn1/codec";
import { choice, explicit, implicit, optional, sequence, setOf, withDefault } from "../asn1/constructed";
import { integer, namedBits, octets, string } from "../asn1/primitives";
import { arbitraryOf } from "./arbitrary";

describe("arbitraryOf", () => {
  it("generates values that round-trip through a nested schema", () => {
    const T = sequence({
      a: integer({ min: 0, max: 9 }),
      b: withDefault(integer({ min: 0, max: 3 }), 0),
      c: optional(implicit(0, octets({ size: 20 }))),
      d: setOf(string("numeric", { min: 1, max: 19 }), { min: 1, max: 4 }),
      e: choice({ x: implicit(1, integer()), y: explicit(2, namedBits(["p", "q", "r"] as const)) }),
    });
    fc.assert(
      fc.property(arbitraryOf(T), (v) => {
        const der = encodeDer(T, v);
        expect(encodeDer(T, decodeDer(T, der))).toEqual(der);
      }),
    );
  });
});
