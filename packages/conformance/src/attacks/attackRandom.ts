/**
 * Where an attack's choices come from (which offsets to flip, which bytes to sample): one run
 * seed, printed by the runner and replayed with `--seed`, from which each attack derives its own
 * stream by its id. An attack run alone (`--only`) with a run's seed makes the same choices as it
 * did in that run. Protocol values an attack mints (XIDs, challenges, nonces) stay fresh: a
 * replayed one would be refused as a replay, which is another verdict.
 */
import { createHash, randomInt } from "node:crypto";
import { seededRandom } from "./toolkit/der";

export interface AttackRandom {
  /** The run's seed, the one `--seed` replays. */
  readonly runSeed: number;
  /** Uniform in [0, 1), this attack's own stream. */
  readonly next: () => number;
}

export const MAX_SEED = 0xffff_ffff;

/** The stream of attack `attackId` in the run of `runSeed`: SHA-256 of both picks its mulberry32 seed. */
export function attackRandom(runSeed: number, attackId: string): AttackRandom {
  const digest = createHash("sha256")
    .update(`${runSeed >>> 0}/${attackId}`)
    .digest();
  return { runSeed, next: seededRandom(digest.readUInt32BE(0)) };
}

/** A fresh run seed, when none is given. */
export const drawRunSeed = (): number => randomInt(0, MAX_SEED + 1);

/** A `--seed` value: a decimal integer in 0..2^32-1, or undefined when it is not one. */
export function parseRunSeed(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_SEED ? n : undefined;
}
