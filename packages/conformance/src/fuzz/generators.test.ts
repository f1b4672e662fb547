/** The mutators produce the hostile shapes they promise, from real DER. */

import { concatBytes } from "@setlab/protocol";
import fc from "fast-check";
import { encodeLength, encodeNode, nest, nestIndefinite, parseTlvs } from "./derTree";
import { byteInputs, derMutated, hostileDer, jsonMutated, mutated } from "./generators";

const seq = (...parts: Uint8Array[]) => {
  const body = concatBytes(parts);
  return concatBytes([Uint8Array.of(0x30), encodeLength(body.length), body]);
};
const sample = seq(Uint8Array.of(2, 1, 5), seq(Uint8Array.of(4, 2, 0xaa, 0xbb), Uint8Array.of(5, 0)));

test("definite lengths are minimal DER", () => {
  expect([...encodeLength(5)]).toEqual([5]);
  expect([...encodeLength(200)]).toEqual([0x81, 200]);
  expect([...encodeLength(0x10000)]).toEqual([0x83, 1, 0, 0]);
});

test("a TLV tree reads back to the same bytes, and refuses what is not TLV", () => {
  const roots = parseTlvs(sample);
  expect(roots).toHaveLength(1);
  expect(encodeNode(roots?.[0] as never)).toEqual(sample);
  expect(parseTlvs(Uint8Array.of(0x30, 0x05, 1))).toBeUndefined();
});

test("nesting: thousands of levels with correct lengths, or indefinite lengths", () => {
  const deep = nest(Uint8Array.of(5, 0), 3000);
  let at = 0;
  let levels = 0;
  while (deep[at] === 0x30) {
    const l0 = deep[at + 1];
    at += 2 + (l0 < 0x80 ? 0 : l0 & 0x7f);
    levels++;
  }
  expect(levels).toBe(3000);
  expect([...deep.subarray(at)]).toEqual([5, 0]);
  const indefinite = nestIndefinite(new Uint8Array(0), 3);
  expect([...indefinite]).toEqual([0x30, 0x80, 0x30, 0x80, 0x30, 0x80, 0, 0, 0, 0, 0, 0]);
});

test("DER-aware mutation changes the input and keeps enclosing lengths consistent", () => {
  const outs = fc.sample(derMutated([sample]), { numRuns: 300, seed: 3 });
  expect(outs.filter((o) => !Buffer.from(o).equals(Buffer.from(sample))).length).toBeGreaterThan(200);
  // Some mutation declares a 4 GiB length inside an otherwise well-formed outer SEQUENCE.
  expect(outs.some((o) => Buffer.from(o).includes(Buffer.from([0x84, 0xff, 0xff, 0xff, 0xff])))).toBe(true);
  // Some mutation nests hundreds of levels deep.
  expect(outs.some((o) => o.length > 300)).toBe(true);
});

test("byte mutations, hostile shapes and the mix all produce bytes", () => {
  for (const arb of [mutated([sample]), hostileDer, byteInputs([sample]), byteInputs([])])
    for (const b of fc.sample(arb, { numRuns: 50, seed: 1 })) expect(b).toBeInstanceOf(Uint8Array);
});

test("JSON mutation replaces, removes or adds fields", () => {
  const outs = fc
    .sample(jsonMutated({ a: 1, b: "x" }), { numRuns: 100, seed: 2 })
    .map((b) => new TextDecoder().decode(b));
  expect(outs.some((o) => !o.includes('"a":1'))).toBe(true);
  expect(outs.every((o) => o.startsWith("{"))).toBe(true);
});
