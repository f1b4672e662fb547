/**
 * The codec contract. Every ASN.1 type of the module `SetLab.asn` has one `Codec<T>` in
 * `src/schema/`, built from the combinators in `primitives.ts` and `constructed.ts`.
 *
 * Why not @peculiar/asn1-schema: it neither enforces SIZE/range bounds nor rejects non-DER input,
 * and SET's hash chain needs both (every DD/H is over exact DER). The byte-walking reader in
 * `der.ts` enforces DER framing while it reads; the combinators interpret its nodes strictly and
 * enforce the type-level DER rules (DEFAULT absent, SET OF sorted), so a decoded value is the one
 * value with these bytes as its encoding, without re-encoding it to prove so.
 */
import { DecodeError, type ErrorCode } from "../errors";
import { kept, Node, readDer, walkedCopy } from "./der";
import { describeTag, type TagKey } from "./tlv";
import { DerWriter, writeDer } from "./writer";

export { DerWriter, kept, Node };

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
  /**
   * Write the full DER (identifier, length, content) in front of what `w` holds: the writer fills
   * its buffer from the back, so a value is written after the values that follow it.
   */
  write(w: DerWriter, value: T): void;
  /** Full DER in a buffer of its own. Throws on a value outside the type. */
  encode(value: T): Uint8Array;
  /** Interpret one parsed node; `path` names the place for error messages. */
  decode(node: Node, path: string): T;
}

/** A codec with its own tag, which can therefore be re-tagged IMPLICIT. */
export interface TaggedCodec<T> extends Codec<T> {
  readonly tag: TagKey;
  readonly constructed: boolean;
  /** The content octets alone, in front of what `w` holds. */
  writeContent(w: DerWriter, value: T): void;
  decodeContent(node: Node, path: string): T;
  withTag(tag: TagKey): TaggedCodec<T>;
}

/** A codec from its writer and reader: `encode` is `write` into a buffer of its own. */
export function codecOf<T>(parts: Omit<Codec<T>, "encode">): Codec<T> {
  const { write } = parts;
  return { ...parts, encode: (value) => writeDer(write, value) };
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

export function fail(where: string, message: string, code: ErrorCode = "decodingFailure"): never {
  throw new DecodeError(code, message, where);
}

export function nodeTag(node: Node): TagKey {
  return node.tag;
}

export function expectTag(node: Node, tag: TagKey, constructed: boolean, path: string): void {
  if (node.tag !== tag) fail(path, `expected ${describeTag(tag)}, found ${describeTag(node.tag)}`);
  if (node.constructed !== constructed)
    fail(path, `${describeTag(tag)} must be ${constructed ? "constructed" : "primitive"}`);
}

/**
 * The exact TLV bytes of this node, as a copy the caller owns (a view on the input when the tree
 * was read by `decodeOwnedDer`). Treat it as immutable: a copy cut from a walked tree is read again
 * without a second walk (der.ts, `walkedCopy`).
 */
export function nodeBytes(node: Node): Uint8Array {
  return walkedCopy(node);
}

/** The content octets of a primitive node, as a view on the input: copy before keeping them. */
export function nodeContent(node: Node): Uint8Array {
  return node.content;
}

export function nodeChildren(node: Node): readonly Node[] {
  return node.children;
}

/** Read a buffer holding exactly one DER value; no trailing bytes, DER framing throughout. */
export function parseOne(bytes: Uint8Array, path: string): Node {
  return readDer(bytes, path);
}

/**
 * Strict DER decode: one value, no trailing bytes, every bound and DER rule checked while
 * reading. Any failure, including a library throw deep inside a codec, is a DecodeError.
 */
export function decodeDer<T>(codec: Codec<T>, bytes: Uint8Array, path = typeName(codec)): T {
  return asDecodeError(path, () => codec.decode(parseOne(bytes, path), path));
}

/**
 * `decodeDer` of bytes the caller owns and never changes, such as a private copy made for this
 * decode: the byte values in the result (kept TLVs, OCTET STRING and BIT STRING contents) are
 * views on `bytes` instead of copies, and keeping any of them keeps all of `bytes`. A parsed
 * certificate reads its own copy of the DER this way (cert/setCertificate.ts).
 */
export function decodeOwnedDer<T>(codec: Codec<T>, bytes: Uint8Array, path = typeName(codec)): T {
  return asDecodeError(path, () => {
    const node = parseOne(bytes, path);
    node.owned = true;
    return codec.decode(node, path);
  });
}

/**
 * `decodeDer` of a node inside a value `readDer` has already walked (the body an open type kept
 * as its node): the same checks and errors, without walking those bytes a second time.
 */
export function decodeNode<T>(codec: Codec<T>, node: Node, path: string): T {
  return asDecodeError(path, () => codec.decode(node, path));
}

function asDecodeError<T>(path: string, decode: () => T): T {
  try {
    return decode();
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
