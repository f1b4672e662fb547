/**
 * What the gateway does to one AuthReq under a fault plan: a pure decision from the plan and a
 * random source (seeded for reproducible runs, injected in tests). Each rate is drawn on its own;
 * of the faults that replace the answer, the first that fires in the order 503, drop, malformed,
 * bad signature wins (a 503 means nothing was processed, so nothing after it can happen).
 */
import type { DelayStage, GatewayFaultPlan } from "./faultPlan";

/** A uniform number in [0, 1). */
export type RandomSource = () => number;

export type AnswerFault = "http5xx" | "drop" | "malformed" | "badSignature";

export interface FaultDecision {
  readonly delay?: { readonly ms: number; readonly stage: DelayStage };
  readonly answer?: AnswerFault;
}

const fires = (rate: number | undefined, random: RandomSource): boolean =>
  rate !== undefined && rate > 0 && random() < rate;

export function decideFaults(plan: GatewayFaultPlan, random: RandomSource): FaultDecision {
  // Every rate is drawn every time, so one switch's rate does not shift the others' draws.
  const http5xx = fires(plan.http5xxRate, random);
  const delay = plan.delayMs !== undefined && plan.delayMs > 0 && fires(plan.delayRate ?? 1, random);
  const drop = fires(plan.dropRate, random);
  const malformed = fires(plan.malformedRate, random);
  const badSignature = fires(plan.badSignatureRate, random);
  const answer: AnswerFault | undefined = http5xx
    ? "http5xx"
    : drop
      ? "drop"
      : malformed
        ? "malformed"
        : badSignature
          ? "badSignature"
          : undefined;
  return {
    ...(delay && !http5xx ? { delay: { ms: plan.delayMs!, stage: plan.stage ?? "committed" } } : {}),
    ...(answer ? { answer } : {}),
  };
}

/** mulberry32: a small seeded generator, enough to replay a fault sequence (not for secrets). */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `SETLAB_FAULT_SEED` (an integer) when set, else Math.random. */
export function randomSourceFromEnv(env: NodeJS.ProcessEnv = process.env): RandomSource {
  const seed = env.SETLAB_FAULT_SEED;
  if (seed !== undefined && /^-?[0-9]{1,10}$/.test(seed)) return seededRandom(Number(seed));
  return Math.random;
}
