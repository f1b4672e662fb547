/**
 * The codec contract. Every ASN.1 type of the module `SetLab.asn` has one `Codec<T>` in
 * `src/schema/`, built from the combinators in `primitives.ts` and `constructed.ts`.
 *
 * Why not @peculiar/asn1-schema: it neither enforces SIZE/range bounds nor rejects non-DER input,
 * and SET's hash chain needs both (every DD/H is over exact DER). asn1js parses the TLV tree here;
 * the combinators interpret it strictly, and `decodeDer` finally re-encodes the value and demands
 * the same bytes back, which rejects every non-canonical encoding in one place.
 */
import * as asn1js from "asn1js";
import { DecodeError, type ErrorCode } from "../errors";
import { bytesEqual, describeTag, type TagKey, tagKey } from "./tlv";

/** A parsed TLV node, as asn1js returns it. */
export type Node = asn1js.AsnType;

/** Structural description of a codec, used to derive sample values and fuzz inputs generically. */
export type Spec =
  | { kind: "integer"; min: number; max: number }
  | { kind: "boolean" }
  | { kind: "null" }
  | { kind: "octets"; min: number; max: number }
  | { kind: "bits"; names?: readonly string[]; min: number; max: number }
  | { kind: "oid"; fixed?: string }
  | { kind: "enumerated"; values: Readonly<Record<string, number>> }
  | {
      kind: "string";
      charset: "numeric" | "printable" | "visible" | "ia5" | "utf8";
      min: number;
      max: number;
    }
  | { kind: "time" }
  | { kind: "sequence"; fields: readonly FieldInfo[] }
  | { kind: "sequenceOf" | "setOf"; item: Codec<unknown>; min: number; max: number }
  | { kind: "choice"; alternatives: Readonly<Record<string, Codec<unknown>>> }
  | { kind: "explicit" | "implicit"; tag: TagKey; inner: Codec<unknown> }
  | { kind: "any" }
  | { kind: "captured"; inner: Codec<unknown> }
  | { kind: "named"; name: string; inner: Codec<unknown> };

export interface FieldInfo {
  readonly name: string;
  readonly codec: Codec<unknown>;
  readonly presence: "required" | "optional" | "default";
  readonly defaultValue?: unknown;
}

export interface Codec<T> {
  /** Outer tags this type can start with; `null` for an open type (ANY). */
  readonly tags: readonly TagKey[] | null;
  readonly spec: Spec;
  /** Full DER (identifier, length, content). Throws DecodeError on a value outside the type. */
  encode(value: T): Uint8Array;
  /** Interpret one parsed node; `path` names the place for error messages. */
  decode(node: Node, path: string): T;
}

/** A codec with its own tag, which can therefore be re-tagged IMPLICIT. */
export interface TaggedCodec<T> extends Codec<T> {
  readonly tag: TagKey;
  readonly constructed: boolean;
  encodeContent(value: T): Uint8Array;
  decodeContent(node: Node, path: string): T;
  withTag(tag: TagKey): TaggedCodec<T>;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

export function fail(where: string, message: string, code: ErrorCode = "decodingFailure"): never {
  throw new DecodeError(code, message, where);
}

export function nodeTag(node: Node): TagKey {
  return tagKey(node.idBlock.tagClass, node.idBlock.tagNumber);
}

export function expectTag(node: Node, tag: TagKey, constructed: boolean, path: string): void {
  const got = nodeTag(node);
  if (got !== tag) fail(path, `expected ${describeTag(tag)}, found ${describeTag(got)}`);
  if (node.idBlock.isConstructed !== constructed)
    fail(path, `${describeTag(tag)} must be ${constructed ? "constructed" : "primitive"}`);
  if (node.lenBlock.isIndefiniteForm) fail(path, "indefinite length is not DER");
}

/** The exact TLV bytes asn1js parsed for this node. */
export function nodeBytes(node: Node): Uint8Array {
  return new Uint8Array(node.valueBeforeDecodeView);
}

/** The content octets of a primitive node. */
export function nodeContent(node: Node): Uint8Array {
  const all = node.valueBeforeDecodeView;
  const header = node.idBlock.blockLength + node.lenBlock.blockLength;
  return new Uint8Array(all.buffer, all.byteOffset + header, all.byteLength - header);
}

export function nodeChildren(node: Node): Node[] {
  const value = (node.valueBlock as { value?: unknown }).value;
  return Array.isArray(value) ? (value as Node[]) : [];
}

/** Parse a buffer holding exactly one TLV; no trailing bytes. */
export function parseOne(bytes: Uint8Array, path: string): Node {
  const copy = new Uint8Array(bytes); // own buffer: asn1js keeps views into it
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(copy.buffer);
  } catch (e) {
    // asn1js throws on some malformed primitives (a UniversalString not a multiple of 4 bytes).
    fail(path, `malformed BER (${(e as Error).name})`);
  }
  if (parsed.offset === -1) fail(path, `malformed BER: ${parsed.result.error || "unreadable"}`);
  if (parsed.offset !== copy.length)
    fail(path, `${copy.length - parsed.offset} trailing byte(s) after the value`);
  return parsed.result;
}

/**
 * Strict DER decode: one value, no trailing bytes, every bound checked, and the canonical
 * re-encoding must equal the input. Any failure, including a stack overflow on hostile nesting,
 * is a DecodeError.
 */
export function decodeDer<T>(codec: Codec<T>, bytes: Uint8Array, path = typeName(codec)): T {
  try {
    const value = codec.decode(parseOne(bytes, path), path);
    if (!bytesEqual(codec.encode(value), bytes)) fail(path, "encoding is valid BER but not DER");
    return value;
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError("decodingFailure", `unreadable input (${(e as Error).name})`, path);
  }
}

export function encodeDer<T>(codec: Codec<T>, value: T): Uint8Array {
  return codec.encode(value);
}

export function typeName(codec: Codec<unknown>): string {
  return codec.spec.kind === "named" ? codec.spec.name : codec.spec.kind;
}
