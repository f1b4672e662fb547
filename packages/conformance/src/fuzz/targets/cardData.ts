/**
 * The card command data codec (SetLabCard.asn): every type the card, the mediator and the
 * conformance kit exchange inside card commands and answers, fed generated values, their DER
 * mutated structurally and byte-wise, and hostile DER. A value read must re-encode to exactly the
 * bytes it came from (DER has one encoding per value); a refusal must be a CardDataError.
 */
import {
  bytesEqual,
  CardDataError,
  type CardDataType,
  cardDataTypes,
  decodeCardData,
  encodeCardData,
} from "@setlab/protocol";
import { arbitraryOf } from "@setlab/protocol/testing/arbitrary";
import fc from "fast-check";
import { byteInputs } from "../generators";
import { FuzzFailure, type FuzzTarget, hexPrefix } from "../harness";
import { typed } from "./decoders";

const types = Object.keys(cardDataTypes) as CardDataType[];

/** Five generated values of each type, as DER: the corpus the mutations start from. */
function samples(type: CardDataType): Uint8Array[] {
  const codec = cardDataTypes[type].codec as Parameters<typeof arbitraryOf>[0];
  return fc.sample(arbitraryOf(codec), { numRuns: 5, seed: 1 }).map((v) => encodeCardData(type, v as never));
}

export function cardDataTarget(): FuzzTarget<[CardDataType, Uint8Array]> {
  const corpus = new Map(types.map((t) => [t, samples(t)]));
  return {
    name: "protocol/card command data",
    family: "decoder",
    sync: true,
    inputs: fc
      .constantFrom(...types)
      .chain((type) => fc.tuple(fc.constant(type), byteInputs(corpus.get(type)!))),
    run: ([type, bytes]) =>
      typed(
        (e) => e instanceof CardDataError,
        () => {
          const value = decodeCardData(type, bytes);
          if (!bytesEqual(encodeCardData(type, value), bytes))
            throw new FuzzFailure("invariant", `${type} read from bytes that are not its DER`);
        },
      ),
    show: ([type, bytes]) => `${type} ${hexPrefix(bytes)}`,
  };
}
