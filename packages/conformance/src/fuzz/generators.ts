/**
 * Input generators: random bytes, byte-level mutations of valid corpus messages, DER-aware
 * mutations (a changed tag, a huge or non-minimal length, indefinite lengths, replaced content,
 * deep nesting) and hostile headers on their own.
 */

import { concatBytes } from "@setlab/protocol";
import fc from "fast-check";
import { allNodes, encodeLength, encodeNode, nest, nestIndefinite, parseTlvs, type TlvNode } from "./derTree";

export const randomBytes = (maxLength = 600): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength });

/** A position in 0..length-1, biased towards the edges where length classes change. */
const position = (length: number, r: number): number => {
  if (length === 0) return 0;
  const edges = [0, 1, 2, 3, 4, 127, 128, 255, 256, length >> 1, length - 4, length - 2, length - 1];
  const pick = r % (edges.length * 2);
  const at = pick < edges.length ? edges[pick] : Math.floor((r / 7) % length);
  return Math.max(0, Math.min(length - 1, at));
};

type ByteOp =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; count: number }
  | { kind: "truncate"; at: number }
  | { kind: "splice"; at: number; other: number; from: number };

const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({
    kind: fc.constant("set" as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 0x7f, 0x80, 0xff, 0x30, 0x84),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("splice" as const), at: fc.nat(), other: fc.nat(), from: fc.nat() }),
);

function applyByteOp(b: Uint8Array, op: ByteOp, corpus: readonly Uint8Array[]): Uint8Array {
  const at = position(b.length, op.at);
  switch (op.kind) {
    case "flip": {
      if (b.length === 0) return b;
      const c = new Uint8Array(b);
      c[at] ^= 1 << op.bit;
      return c;
    }
    case "set": {
      if (b.length === 0) return b;
      const c = new Uint8Array(b);
      c[at] = op.value;
      return c;
    }
    case "insert":
      return concatBytes([b.subarray(0, at), op.bytes, b.subarray(at)]);
    case "delete":
      return concatBytes([b.subarray(0, at), b.subarray(at + op.count)]);
    case "truncate":
      return b.subarray(0, at);
    case "splice": {
      const other = corpus[op.other % corpus.length];
      return concatBytes([b.subarray(0, at), other.subarray(position(other.length, op.from))]);
    }
  }
}

/** A corpus message with one to four byte-level mutations. */
export function mutated(corpus: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.nat(), fc.array(byteOp, { minLength: 1, maxLength: 4 }))
    .map(([i, ops]) => ops.reduce((b, op) => applyByteOp(b, op, corpus), corpus[i % corpus.length]));
}

type DerOp =
  | { kind: "tag"; tag: number }
  | { kind: "hugeLength"; length: Uint8Array }
  | { kind: "longFormZeros"; zeros: number }
  | { kind: "indefinite" }
  | { kind: "content"; bytes: Uint8Array }
  | { kind: "wrap"; depth: number; tag: number }
  | { kind: "duplicate" }
  | { kind: "remove" }
  | { kind: "empty" };

const hugeLengths = [
  Uint8Array.of(0x84, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0x84, 0x7f, 0xff, 0xff, 0xff),
  Uint8Array.of(0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0x89, 0x01, 0, 0, 0, 0, 0, 0, 0, 0),
  Uint8Array.of(0xff),
  Uint8Array.of(0x83, 0x10, 0x00, 0x00),
];

const derOp: fc.Arbitrary<DerOp> = fc.oneof(
  fc.record({
    kind: fc.constant("tag" as const),
    tag: fc.oneof(fc.nat({ max: 255 }), fc.constantFrom(0x30, 0x31, 0x04, 0x02, 0xa0, 0x1f, 0x05)),
  }),
  fc.record({ kind: fc.constant("hugeLength" as const), length: fc.constantFrom(...hugeLengths) }),
  fc.record({ kind: fc.constant("longFormZeros" as const), zeros: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("indefinite" as const) }),
  fc.record({ kind: fc.constant("content" as const), bytes: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({
    kind: fc.constant("wrap" as const),
    depth: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 100, max: 5000 })),
    tag: fc.constantFrom(0x30, 0x31, 0xa0, 0x04),
  }),
  fc.record({ kind: fc.constant("duplicate" as const) }),
  fc.record({ kind: fc.constant("remove" as const) }),
  fc.record({ kind: fc.constant("empty" as const) }),
);

function bodyOf(n: TlvNode): Uint8Array {
  return n.children ? concatBytes(n.children.map(encodeNode)) : (n.content ?? new Uint8Array(0));
}

function applyDerOp(roots: TlvNode[], target: TlvNode, parent: TlvNode | undefined, op: DerOp): void {
  switch (op.kind) {
    case "tag":
      target.raw = concatBytes([Uint8Array.of(op.tag), encodeLength(bodyOf(target).length), bodyOf(target)]);
      return;
    case "hugeLength":
      target.raw = concatBytes([target.tag, op.length, bodyOf(target)]);
      return;
    case "longFormZeros": {
      const body = bodyOf(target);
      const minimal = encodeLength(body.length);
      const digits = minimal[0] < 0x80 ? Uint8Array.of(minimal[0]) : minimal.subarray(1);
      const length = concatBytes([
        Uint8Array.of(0x80 | (digits.length + op.zeros)),
        new Uint8Array(op.zeros),
        digits,
      ]);
      target.raw = concatBytes([target.tag, length, body]);
      return;
    }
    case "indefinite":
      target.raw = concatBytes([target.tag, Uint8Array.of(0x80), bodyOf(target), Uint8Array.of(0, 0)]);
      return;
    case "content":
      target.children = undefined;
      target.content = op.bytes;
      return;
    case "wrap":
      target.raw = nest(encodeNode(target), op.depth, op.tag);
      return;
    case "empty":
      target.children = target.constructed ? [] : undefined;
      target.content = target.constructed ? undefined : new Uint8Array(0);
      return;
    case "duplicate":
    case "remove": {
      const siblings = parent?.children ?? roots;
      const i = siblings.indexOf(target);
      if (op.kind === "duplicate") siblings.splice(i, 0, { ...target });
      else siblings.splice(i, 1);
      return;
    }
  }
}

/** A corpus message with one or two structural mutations, enclosing lengths rewritten. */
export function derMutated(corpus: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.nat(), fc.array(fc.tuple(fc.nat(), derOp), { minLength: 1, maxLength: 2 }))
    .map(([i, ops]) => {
      const source = corpus[i % corpus.length];
      const roots = parseTlvs(source);
      if (!roots || roots.length === 0) return source;
      for (const [pick, op] of ops) {
        const nodes = allNodes(roots);
        if (nodes.length === 0) break;
        const target = nodes[pick % nodes.length];
        const parent = nodes.find((n) => n.children?.includes(target));
        applyDerOp(roots, target, parent, op);
      }
      return concatBytes(roots.map(encodeNode));
    });
}

/** Hostile shapes without a corpus: deep nesting, huge declared lengths, long tags. */
export const hostileDer: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 20000 }), fc.constantFrom(0x30, 0x31, 0xa0, 0x24))
    .map(([d, t]) => nest(new Uint8Array(0), d, t)),
  fc.integer({ min: 1, max: 20000 }).map((d) => nestIndefinite(Uint8Array.of(5, 0), d)),
  fc
    .tuple(
      fc.constantFrom(0x30, 0x04, 0x02, 0x06, 0x03, 0x17, 0xa0),
      fc.constantFrom(...hugeLengths),
      fc.uint8Array({ maxLength: 16 }),
    )
    .map(([t, l, rest]) => concatBytes([Uint8Array.of(t), l, rest])),
  fc
    .uint8Array({ maxLength: 12 })
    .map((rest) => concatBytes([Uint8Array.of(0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), rest])),
);

/** The mix every byte-input target draws from. */
export function byteInputs(corpus: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  if (corpus.length === 0) return fc.oneof(randomBytes(), hostileDer);
  return fc.oneof(
    { weight: 2, arbitrary: randomBytes() },
    { weight: 4, arbitrary: mutated(corpus) },
    { weight: 4, arbitrary: derMutated(corpus) },
    { weight: 1, arbitrary: hostileDer },
    { weight: 1, arbitrary: fc.constantFrom(...corpus) },
  );
}

/** Hostile JSON values: wrong types, deep nesting, huge numbers and strings, prototype keys. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, -1, 0, 1e308, -0, 2 ** 53 + 1, "", "x".repeat(70000), [], {}, true),
  fc.integer({ min: 1, max: 1000 }).map((d) => JSON.parse(`${"[".repeat(d)}${"]".repeat(d)}`)),
  fc.constant(JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}')),
);

/** JSON text nested far deeper than any value the parsers build (arrays, objects, both). */
const deepJsonText: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.integer({ min: 1000, max: 50_000 }), fc.constantFrom("[", '{"a":', '[{"b":'))
  .map(([d, open]) => {
    const close = open === "[" ? "]" : open === '{"a":' ? "}" : "}]";
    return new TextEncoder().encode(`${open.repeat(d)}1${close.repeat(d)}`);
  });

/** A valid JSON object with fields replaced, removed or added, as UTF-8 bytes. */
export function jsonMutated(valid: Record<string, unknown>): fc.Arbitrary<Uint8Array> {
  const keys = Object.keys(valid);
  return fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })),
        fc.oneof(hostileJson, fc.constant(undefined)),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((edits) => {
      const o: Record<string, unknown> = structuredClone(valid);
      for (const [k, v] of edits) {
        if (v === undefined) delete o[k];
        else o[k] = v;
      }
      return new TextEncoder().encode(JSON.stringify(o));
    });
}

/** Text-level and value-level mutations of a valid JSON document, plus random bytes. */
export function jsonInputs(valid: Record<string, unknown>): fc.Arbitrary<Uint8Array> {
  const bytes = new TextEncoder().encode(JSON.stringify(valid));
  return fc.oneof(
    { weight: 4, arbitrary: jsonMutated(valid) },
    { weight: 2, arbitrary: mutated([bytes]) },
    { weight: 1, arbitrary: randomBytes(200) },
    { weight: 1, arbitrary: hostileJson.map((v) => new TextEncoder().encode(JSON.stringify(v) ?? "")) },
    { weight: 1, arbitrary: deepJsonText },
  );
}
