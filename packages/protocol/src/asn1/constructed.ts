/** Constructed ASN.1 types: SEQUENCE, SEQUENCE OF, SET OF, CHOICE, tagging, open types. */
import { SetError } from "../errors";
import {
  type Codec,
  codecOf,
  type FieldInfo,
  fail,
  type Node,
  nodeBytes,
  nodeChildren,
  nodeTag,
  type TaggedCodec,
} from "./codec";
import { readDerShallow } from "./der";
import { tagged } from "./primitives";
import { bytesEqual, compareBytes, context, describeTag, isSingleTlv, type TagKey, universal } from "./tlv";
import type { DerWriter } from "./writer";

type Simplify<T> = { [K in keyof T]: T[K] } & {};

interface OptionalField<T> {
  readonly presence: "optional";
  readonly codec: Codec<T>;
}
interface DefaultField<T> {
  readonly presence: "default";
  readonly codec: Codec<T>;
  readonly value: T;
}
type FieldSpec = Codec<any> | OptionalField<any> | DefaultField<any>;

/** `field OPTIONAL` */
export const optional = <T>(codec: Codec<T>): OptionalField<T> => ({ presence: "optional", codec });
/** `field DEFAULT value`: decoded values always carry the field; DER omits it when equal to the default. */
export const withDefault = <T>(codec: Codec<T>, value: T): DefaultField<T> => ({
  presence: "default",
  codec,
  value,
});

type FieldValue<F> =
  F extends OptionalField<infer T>
    ? T
    : F extends DefaultField<infer T>
      ? T
      : F extends Codec<infer T>
        ? T
        : never;
type RequiredKeys<F> = { [K in keyof F]: F[K] extends OptionalField<any> ? never : K }[keyof F];
type OptionalKeys<F> = { [K in keyof F]: F[K] extends OptionalField<any> ? K : never }[keyof F];
export type SequenceValue<F> = Simplify<
  { [K in RequiredKeys<F>]: FieldValue<F[K]> } & { [K in OptionalKeys<F>]?: FieldValue<F[K]> }
>;

function toFieldInfo(name: string, spec: FieldSpec): FieldInfo {
  if ("presence" in spec) {
    return spec.presence === "default"
      ? { name, codec: spec.codec, presence: "default", defaultValue: spec.value }
      : { name, codec: spec.codec, presence: "optional" };
  }
  return { name, codec: spec, presence: "required" };
}

const matches = (codec: Codec<unknown>, tag: TagKey) => codec.tags === null || codec.tags.includes(tag);

/** The DER of each DEFAULT field's default value, computed once per codec. */
function defaultEncodings(infos: readonly FieldInfo[]): (Uint8Array | undefined)[] {
  return infos.map((f) => (f.presence === "default" ? f.codec.encode(f.defaultValue) : undefined));
}

/**
 * SEQUENCE. Optional and DEFAULT fields are recognised by tag; the module is written so that
 * every optional field's tags differ from those of the fields that may follow it.
 */
export function sequence<F extends Record<string, FieldSpec>>(fields: F): TaggedCodec<SequenceValue<F>> {
  const infos = Object.entries(fields).map(([name, spec]) => toFieldInfo(name, spec));
  let defaults: (Uint8Array | undefined)[] | undefined;
  type V = SequenceValue<F>;
  return tagged<V>(
    universal(16),
    true,
    { kind: "sequence", fields: infos },
    (w, value) => {
      const record = value as Record<string, unknown>;
      for (const f of infos)
        if (f.presence === "required" && record[f.name] === undefined)
          throw new SetError("unspecifiedFailure", `cannot encode: missing ${f.name}`);
      // Last field first: the writer fills its buffer from the back.
      for (let k = infos.length - 1; k >= 0; k--) {
        const f = infos[k];
        const v = record[f.name];
        if (v === undefined) continue;
        const end = w.length;
        f.codec.write(w, v);
        if (f.presence === "default") {
          defaults ??= defaultEncodings(infos);
          if (bytesEqual(w.front(w.length - end), defaults[k] as Uint8Array)) w.truncate(end);
        }
      }
    },
    (node, path) => {
      const children = nodeChildren(node);
      const out: Record<string, unknown> = {};
      let i = 0;
      for (let k = 0; k < infos.length; k++) {
        const f = infos[k];
        const child = children[i];
        if (child !== undefined && matches(f.codec, nodeTag(child))) {
          if (f.presence === "default") {
            defaults ??= defaultEncodings(infos);
            if (bytesEqual(child.bytes, defaults[k] as Uint8Array))
              fail(`${path}.${f.name}`, "a DEFAULT value must be absent in DER");
          }
          out[f.name] = f.codec.decode(child, `${path}.${f.name}`);
          i++;
        } else if (f.presence === "required") {
          fail(
            `${path}.${f.name}`,
            child === undefined ? "missing field" : `unexpected ${describeTag(nodeTag(child))}`,
          );
        } else if (f.presence === "default") {
          out[f.name] = f.defaultValue;
        }
      }
      if (i < children.length)
        fail(path, `unexpected ${describeTag(nodeTag(children[i]))} after the last field`);
      return out as V;
    },
  );
}

function listOf<T>(kind: "sequenceOf" | "setOf", item: Codec<T>, min: number, max: number): TaggedCodec<T[]> {
  const tag = universal(kind === "setOf" ? 17 : 16);
  return tagged<T[]>(
    tag,
    true,
    { kind, item: item as Codec<unknown>, min, max },
    (w, list) => {
      if (list.length < min || list.length > max)
        throw new SetError(
          "unspecifiedFailure",
          `cannot encode: ${list.length} items outside ${min}..${max}`,
        );
      const end = w.length;
      const lengths: number[] = [];
      for (let i = list.length - 1; i >= 0; i--) {
        const before = w.length;
        item.write(w, list[i]);
        lengths.push(w.length - before);
      }
      if (kind === "setOf" && list.length > 1) sortInPlace(w, w.length - end, lengths);
    },
    (node, path) => {
      const children = nodeChildren(node);
      if (children.length < min || children.length > max)
        fail(path, `${children.length} items outside SIZE(${min}..${max})`);
      if (kind === "setOf")
        for (let i = 1; i < children.length; i++)
          if (compareBytes(children[i - 1].bytes, children[i].bytes) > 0)
            fail(`${path}[${i}]`, "SET OF elements are not in DER order");
      return children.map((c, i) => item.decode(c, `${path}[${i}]`));
    },
  );
}

/**
 * Put the items just written (their lengths listed last item first) in DER SET OF order: by
 * their encodings, which are only known once written. Items usually come sorted (a decoded value
 * is); then nothing moves.
 */
function sortInPlace(w: DerWriter, total: number, lengths: readonly number[]): void {
  const region = w.front(total);
  const items: Uint8Array[] = [];
  let sorted = true;
  for (let i = lengths.length - 1, at = 0; i >= 0; at += lengths[i--]) {
    const item = region.subarray(at, at + lengths[i]);
    if (sorted && items.length > 0 && compareBytes(items[items.length - 1], item) > 0) sorted = false;
    items.push(item);
  }
  if (sorted) return;
  const copy = region.slice();
  const inCopy = items.map((item) =>
    copy.subarray(item.byteOffset - region.byteOffset, item.byteOffset - region.byteOffset + item.length),
  );
  inCopy.sort(compareBytes);
  for (let i = 0, at = 0; i < inCopy.length; at += inCopy[i++].length) region.set(inCopy[i], at);
  copy.fill(0);
}

/** SEQUENCE (SIZE(min..max)) OF item */
export const sequenceOf = <T>(item: Codec<T>, bounds: { min?: number; max?: number } = {}) =>
  listOf("sequenceOf", item, bounds.min ?? 0, bounds.max ?? Number.MAX_SAFE_INTEGER);

/** SET (SIZE(min..max)) OF item; encoded in DER order, so decoding rejects unsorted input. */
export const setOf = <T>(item: Codec<T>, bounds: { min?: number; max?: number } = {}) =>
  listOf("setOf", item, bounds.min ?? 0, bounds.max ?? Number.MAX_SAFE_INTEGER);

export type ChoiceValue<A> = {
  [K in keyof A]: { type: K; value: A[K] extends Codec<infer T> ? T : never };
}[keyof A];

/** CHOICE; the value names its alternative: `{ type: "pReqDualSigned", value: ... }`. */
export function choice<A extends Record<string, Codec<any>>>(alternatives: A): Codec<ChoiceValue<A>> {
  const entries = Object.entries(alternatives);
  const tags: TagKey[] = [];
  for (const [, c] of entries) {
    if (c.tags === null) throw new Error("an open type cannot be a CHOICE alternative");
    tags.push(...c.tags);
  }
  if (new Set(tags).size !== tags.length) throw new Error("CHOICE alternatives must have distinct tags");
  type V = ChoiceValue<A>;
  return codecOf<V>({
    tags,
    spec: { kind: "choice", alternatives },
    write(w, value) {
      const codec = Object.hasOwn(alternatives, value.type) ? alternatives[value.type as string] : undefined;
      if (!codec)
        throw new SetError("unspecifiedFailure", `cannot encode: unknown alternative ${String(value.type)}`);
      codec.write(w, value.value);
    },
    decode(node: Node, path: string): V {
      const tag = nodeTag(node);
      for (const [type, codec] of entries)
        if (codec.tags?.includes(tag)) return { type, value: codec.decode(node, `${path}.${type}`) } as V;
      return fail(path, `no CHOICE alternative has tag ${describeTag(tag)}`);
    },
  });
}

/** [n] EXPLICIT inner */
export function explicit<T>(n: number, inner: Codec<T>): TaggedCodec<T> {
  const tag = context(n);
  const make = (t: TagKey): TaggedCodec<T> => {
    const base = tagged<T>(
      t,
      true,
      { kind: "explicit", tag: t, inner: inner as Codec<unknown> },
      inner.write,
      (node, path) => {
        const children = nodeChildren(node);
        if (children.length !== 1)
          fail(path, `EXPLICIT tag must hold exactly one value, found ${children.length}`);
        return inner.decode(children[0], path);
      },
    );
    return { ...base, withTag: make };
  };
  return make(tag);
}

/** [n] IMPLICIT inner (the module's default tagging); inner must have a tag of its own. */
export function implicit<T>(n: number, inner: TaggedCodec<T>): TaggedCodec<T> {
  const t = inner.withTag(context(n));
  return { ...t, spec: { kind: "implicit", tag: context(n), inner: inner as Codec<unknown> } };
}

/** ANY: one whole DER value, kept as its bytes. */
export function anyDer(): Codec<Uint8Array> {
  return codecOf<Uint8Array>({
    tags: null,
    spec: { kind: "any" },
    write(w, value) {
      if (!isSingleTlv(value))
        throw new SetError("unspecifiedFailure", "cannot encode: ANY value is not one DER TLV");
      w.bytes(value);
    },
    decode: (node) => nodeBytes(node),
  });
}

/**
 * A value validated by `inner` on decode but kept as its exact DER bytes. Used for CMS objects
 * (SignedData, EnvelopedData) that the crypto operators parse and verify themselves, and whose
 * bytes must survive untouched because signatures and digests cover them.
 */
export function captured<T>(inner: Codec<T>): Codec<Uint8Array> {
  return codecOf<Uint8Array>({
    tags: inner.tags,
    spec: { kind: "captured", inner: inner as Codec<unknown> },
    write(w, bytes) {
      // A self-check of what we are about to send: the receiver walks the whole value anyway.
      inner.decode(readDerShallow(bytes, "value"), "value");
      w.bytes(bytes);
    },
    decode(node, path) {
      inner.decode(node, path);
      return nodeBytes(node);
    },
  });
}

/** Give a codec its ASN.1 type name (used in error paths, samples and the module cross-check). */
export function named<C extends Codec<any>>(name: string, inner: C): C {
  return { ...inner, spec: { kind: "named", name, inner } } as C;
}
