/**
 * Decoder targets: every reader of untrusted bytes in @setlab/protocol, the card command codec
 * and frame reader, and the initiation-object reader. The only acceptable refusal is
 * the reader's typed error (SetError, CardLinkError, InitiationError).
 */
import {
  bytesEqual,
  CardLinkError,
  concatBytes,
  decodeCommand,
  decodeDer,
  decodeResponse,
  FrameReader,
  InitiationError,
  type Node,
  openAuthReq,
  parseCrl,
  parseOne,
  parseSetCertificate,
  readInitiation,
  SetError,
  schema,
  tlv,
  verifyBrandCRLIdentifier,
  verifyPInitRes,
  verifyS,
} from "@setlab/protocol";
import { arbitraryOf } from "@setlab/protocol/testing/arbitrary";
import fc from "fast-check";
import type { Corpus } from "../corpus";
import { byteInputs, jsonInputs } from "../generators";
import { type FuzzTarget, hexPrefix, type Verdict } from "../harness";
import type { World } from "../world";

/** Run a reader: its value is "accepted", its typed error "rejected"; anything else propagates. */
export function typed(isTyped: (e: unknown) => boolean, f: () => unknown): Verdict {
  try {
    f();
    return "accepted";
  } catch (e) {
    if (isTyped(e)) return "rejected";
    throw e;
  }
}

export async function typedAsync(
  isTyped: (e: unknown) => boolean,
  f: () => Promise<unknown>,
): Promise<Verdict> {
  try {
    await f();
    return "accepted";
  } catch (e) {
    if (isTyped(e)) return "rejected";
    throw e;
  }
}

const isSetError = (e: unknown) => e instanceof SetError;

/** Targets whose every input runs RSA or the full certificate path (milliseconds each). */
const cryptoBound = {
  runs: 20_000,
  why: "each input that gets past the outer DER runs RSA and X.509 path work (ms per input)",
};

function bytesTarget(
  name: string,
  corpus: readonly Uint8Array[],
  run: (b: Uint8Array) => Verdict | Promise<Verdict>,
  extra: Partial<FuzzTarget> = {},
): FuzzTarget {
  return { name, family: "decoder", inputs: byteInputs(corpus), run, ...extra };
}

/** A target whose reader is synchronous: run under fc.property, without a promise per input. */
function syncTarget(
  name: string,
  corpus: readonly Uint8Array[],
  run: (b: Uint8Array) => Verdict,
): FuzzTarget {
  return bytesTarget(name, corpus, run, { sync: true });
}

/** One target per schema section: each input picks a type of the section and bytes for it. */
function schemaTargets(corpus: Corpus): FuzzTarget<{ type: number; bytes: Uint8Array }>[] {
  const sections = new Map<string, schema.RegisteredType[]>();
  for (const t of schema.registry) sections.set(t.section, [...(sections.get(t.section) ?? []), t]);
  // Real inner structures too: the purchase's messages decoded where a type matches.
  return [...sections].map(([section, types]) => {
    const corpora = types.map((t) => {
      const samples = fc.sample(arbitraryOf(t.codec), { numRuns: 4, seed: 42 });
      const own: Uint8Array[] = [];
      for (const v of samples) {
        try {
          own.push(t.codec.encode(v));
        } catch {
          // a generated value the encoder refuses: not part of the corpus
        }
      }
      if (t.asn1Name === "MessageWrapper") own.push(...corpus.messages);
      return own;
    });
    const perType = corpora.map((c, type) => byteInputs(c).map((bytes) => ({ type, bytes })));
    return {
      name: `schema/${section}`,
      family: "decoder" as const,
      sync: true,
      inputs: fc.oneof(...perType),
      run: ({ type, bytes }) => typed(isSetError, () => canonical(types[type].codec, bytes)),
      show: ({ type, bytes }) => `${types[type].asn1Name}: ${hexPrefix(bytes)}`,
    };
  });
}

/**
 * Decode, and demand that what was accepted is the one DER encoding of its value: the reader
 * checks DER while reading instead of re-encoding, and this is where that claim is tested.
 */
function canonical(codec: schema.RegisteredType["codec"], bytes: Uint8Array): void {
  const value = decodeDer(codec, bytes);
  if (!bytesEqual(codec.encode(value), bytes))
    throw new Error("accepted an encoding that is not the DER of the value it decoded to");
}

/** Write a read tree back from its nodes: for strictly read DER it is the same bytes. */
function rewrite(node: Node): Uint8Array {
  return node.constructed ? tlv(node.tag, true, concatBytes(node.children.map(rewrite))) : node.bytes;
}

export async function decoderTargets(world: World, corpus: Corpus): Promise<FuzzTarget<unknown>[]> {
  const p = world.p;
  const pki = world.pki;
  const wrapperOf = (b: Uint8Array) => schema.decodeMessage(b).message;
  const pInitRes = wrapperOf(corpus.capture.pInitRes);
  const pRes = wrapperOf(corpus.capture.pRes);
  const authReq = wrapperOf(corpus.capture.authReq);
  if (
    pInitRes.type !== "purchaseInitResponse" ||
    pRes.type !== "purchaseResponse" ||
    authReq.type !== "authorizationRequest"
  )
    throw new Error("the corpus purchase does not hold PInitRes, PRes and AuthReq");
  const signed = [pInitRes.value, pRes.value] as Uint8Array[];
  const trust = { pinnedRoot: pki.root(), at: new Date() };
  const gatewayKex = {
    certificate: pki.certificate("visa/gateway/key-exchange"),
    privateKey: await pki.privateKey("visa/gateway/key-exchange", "keyEncipherment", p),
  };
  const visaBca = parseSetCertificate(pki.certificate("visa/bca"));
  const pInitReq = wrapperOf(corpus.capture.pInitReq);
  const pInitReqValue = pInitReq.type === "purchaseInitRequest" ? pInitReq.value : undefined;
  if (!pInitReqValue) throw new Error("the corpus purchase does not hold PInitReq");

  const targets: FuzzTarget<unknown>[] = [
    syncTarget("protocol/decodeMessage", corpus.messages, (b) =>
      typed(isSetError, () => schema.decodeMessage(b)),
    ),
    syncTarget("asn1/readDer", [...corpus.messages, ...corpus.certificates, ...corpus.crls], (b) =>
      typed(isSetError, () => {
        if (!bytesEqual(rewrite(parseOne(b, "value")), b))
          throw new Error("the DER reader accepted framing it would not write");
      }),
    ),
    ...schemaTargets(corpus),
    syncTarget("protocol/parseSetCertificate", corpus.certificates, (b) =>
      typed(isSetError, () => parseSetCertificate(b)),
    ),
    syncTarget("protocol/parseCrl", corpus.crls, (b) => typed(isSetError, () => parseCrl(b))),
    bytesTarget(
      "protocol/verifyBrandCRLIdentifier",
      corpus.bcis.slice(0, 1),
      (b) => typedAsync(isSetError, () => verifyBrandCRLIdentifier(p, b, visaBca, new Date())),
      { defaultRuns: cryptoBound },
    ),
    bytesTarget(
      "cms/verifyS(SignedData)",
      signed,
      (b) => typedAsync(isSetError, () => verifyS(p, b, { contentType: schema.ContentType.PInitResData })),
      { defaultRuns: cryptoBound },
    ),
    bytesTarget(
      "messages/verifyPInitRes",
      [pInitRes.value as Uint8Array],
      (b) =>
        typedAsync(isSetError, () =>
          verifyPInitRes(
            p,
            b,
            {
              chall_C: pInitReqValue.chall_C,
              lid_C: pInitReqValue.localID_C,
              brandID: pInitReqValue.brandID,
            },
            trust,
          ),
        ),
      { defaultRuns: cryptoBound },
    ),
    bytesTarget(
      "cms/openAuthReq(EnvelopedData)",
      [authReq.value.authReqEnvelope as Uint8Array],
      (b) =>
        typedAsync(isSetError, () =>
          openAuthReq(p, gatewayKex, { ...authReq.value, authReqEnvelope: b }, trust),
        ),
      { defaultRuns: cryptoBound },
    ),
    syncTarget("card/decodeCommand", corpus.capture.commands, (b) =>
      typed(
        (e) => e instanceof CardLinkError,
        () => decodeCommand(b),
      ),
    ),
    syncTarget("card/decodeResponse", corpus.capture.commands, (b) =>
      typed(
        (e) => e instanceof CardLinkError,
        () => decodeResponse(b),
      ),
    ),
    {
      name: "card/FrameReader",
      family: "decoder",
      sync: true,
      inputs: fc.tuple(
        byteInputs(corpus.capture.commands.map(frame)),
        fc.array(fc.nat({ max: 64 }), { maxLength: 6 }),
      ),
      run: ([stream, cuts]: [Uint8Array, number[]]) =>
        typed(
          (e) => e instanceof CardLinkError,
          () => {
            const reader = new FrameReader(64 * 1024);
            let at = 0;
            for (const cut of [...cuts, stream.length]) {
              reader.push(stream.subarray(at, Math.min(stream.length, at + cut)));
              at = Math.min(stream.length, at + cut);
            }
            reader.push(stream.subarray(at));
          },
        ),
      show: ([stream]: [Uint8Array, number[]]) => hexPrefix(stream),
    } as FuzzTarget<[Uint8Array, number[]]>,
    {
      name: "protocol/readInitiation",
      family: "decoder",
      sync: true,
      inputs: jsonInputs(JSON.parse(corpus.initiation)),
      run: (b: Uint8Array) =>
        typed(
          (e) => e instanceof InitiationError,
          () => readInitiation(new TextDecoder().decode(b)),
        ),
      show: (b: Uint8Array) => JSON.stringify(new TextDecoder().decode(b.subarray(0, 120))),
    } as FuzzTarget,
  ];
  return targets;
}

function frame(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length);
  out.set(b, 4);
  return out;
}
