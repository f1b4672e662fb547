/** Every fuzz target, built over one world and its corpus. */
import type { Corpus } from "../corpus";
import type { FuzzTarget } from "../harness";
import type { World } from "../world";
import { cardTargets } from "./card";
import { cardDataTarget } from "./cardData";
import { decoderTargets } from "./decoders";
import { httpTargets } from "./http";

export async function allTargets(world: World, corpus: Corpus): Promise<FuzzTarget<unknown>[]> {
  return [
    ...(await decoderTargets(world, corpus)),
    cardDataTarget() as FuzzTarget<unknown>,
    ...(await httpTargets(world, corpus)),
    ...cardTargets(world, corpus),
  ];
}
