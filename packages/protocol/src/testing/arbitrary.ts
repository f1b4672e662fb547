/**
 * fast-check arbitraries derived from a codec's structure, so that every type of the module gets
 * round-trip, sample and fuzz coverage without a hand-written generator per type.
 */
import fc from "fast-check";
import type { Codec, Spec } from "../asn1/codec";

const charsetChars: Record<string, string> = {
  numeric: "0123456789 ",
  printable: "ABCXYZabcxyz0129 '()+,-./:=?",
  visible: "ABCXYZabcxyz0129 !~{}",
  ia5: "ABCabc019 \t\n",
  utf8: "Aa9 éß€漢",
};

/** Keep generated collections small: the point is structure, not volume. */
const cap = (n: number, limit: number) => Math.min(n, limit);

export function arbitraryOf<T>(codec: Codec<T>): fc.Arbitrary<T> {
  return fromSpec(codec.spec) as fc.Arbitrary<T>;
}

function fromSpec(spec: Spec): fc.Arbitrary<unknown> {
  switch (spec.kind) {
    case "integer":
      return fc
        .integer({ min: Math.max(spec.min, -(2 ** 31)), max: Math.min(spec.max, 2 ** 31 - 1) })
        .map((n) => n);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "octets":
      return fc
        .uint8Array({
          minLength: spec.min,
          maxLength: cap(Math.max(spec.max, spec.min), Math.max(spec.min, 40)),
        })
        .map((a) => new Uint8Array(a));
    case "bits":
      if (spec.names) return fc.subarray([...spec.names]);
      return fc
        .tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 7 }))
        .map(([bytes, unused]) => {
          const b = new Uint8Array(bytes);
          b[b.length - 1] &= 0xff << unused;
          return { bytes: b, unusedBits: unused };
        });
    case "oid":
      if (spec.fixed) return fc.constant(spec.fixed);
      return fc
        .tuple(
          fc.constantFrom("1.3.6.1.4.1.32473", "2.23.42", "2.5.29"),
          fc.array(fc.nat({ max: 100000 }), { maxLength: 4 }),
        )
        .map(([base, arcs]) => [base, ...arcs].join("."));
    case "enumerated":
      return fc.constantFrom(...Object.keys(spec.values));
    case "string": {
      const chars = [...charsetChars[spec.charset]];
      return fc
        .array(fc.constantFrom(...chars), {
          minLength: spec.min,
          maxLength: cap(Math.max(spec.max, spec.min), Math.max(spec.min, 24)),
        })
        .map((a) => a.join(""));
    }
    case "time":
      return fc
        .integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2090, 0, 1) / 1000 })
        .map((s) => new Date(s * 1000));
    case "sequence": {
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const f of spec.fields) {
        shape[f.name] = fromSpec(f.codec.spec);
        if (f.presence !== "optional") required.push(f.name);
      }
      return fc.record(shape, { requiredKeys: required }).map((v) => {
        const out: Record<string, unknown> = { ...v };
        // A DEFAULT field decodes to its default when absent; generated values always carry it.
        for (const f of spec.fields)
          if (f.presence === "default" && out[f.name] === undefined) out[f.name] = f.defaultValue;
        return out;
      });
    }
    case "sequenceOf":
    case "setOf":
      return fc.array(fromSpec(spec.item.spec), {
        minLength: spec.min,
        maxLength: cap(Math.max(spec.max, spec.min), Math.max(spec.min, 3)),
      });
    case "choice":
      return fc.oneof(
        ...Object.entries(spec.alternatives).map(([type, c]) =>
          fromSpec(c.spec).map((value) => ({ type, value })),
        ),
      );
    case "explicit":
    case "implicit":
      return fromSpec(spec.inner.spec);
    case "named":
      return fromSpec(spec.inner.spec);
    case "any":
      // A small, valid DER value: NULL, an INTEGER or an OCTET STRING.
      return fc.oneof(
        fc.constant(Uint8Array.of(5, 0)),
        fc.integer({ min: 0, max: 127 }).map((n) => Uint8Array.of(2, 1, n)),
        fc.uint8Array({ maxLength: 16 }).map((b) => Uint8Array.of(4, b.length, ...b)),
      );
    case "captured":
      return fromSpec(spec.inner.spec).map((v) => spec.inner.encode(v));
  }
}
