/**
 * The fault plans a soak rotates through on the gateway (docs/faults.md, "Soak"). "light" injects
 * a few percent of each fault, "heavy" several times more; both include delays longer than the
 * merchant's 5 s per-attempt timeout at both stages, and a clock-skew phase ("light": within the
 * 15 min the gateway tolerates, so nothing is refused; "heavy": beyond it, so every AuthReq of that
 * phase is refused as too old). Each phase ends with the plan of the next one; the soak clears the
 * plan before it settles.
 */
import type { GatewayFaultPlan } from "../commands/fault";

export type FaultProfile = "none" | "light" | "heavy";

export const faultProfiles: readonly FaultProfile[] = ["none", "light", "heavy"];

const light: readonly GatewayFaultPlan[] = [
  {
    delayMs: 300,
    delayRate: 0.05,
    dropRate: 0.03,
    http5xxRate: 0.03,
    malformedRate: 0.03,
    badSignatureRate: 0.03,
  },
  { delayMs: 6000, delayRate: 0.03, stage: "committed", dropRate: 0.03 },
  { delayMs: 6000, delayRate: 0.03, stage: "received", http5xxRate: 0.03, malformedRate: 0.03 },
  { clockSkewSeconds: 120, badSignatureRate: 0.03 },
];

const heavy: readonly GatewayFaultPlan[] = [
  {
    delayMs: 500,
    delayRate: 0.2,
    dropRate: 0.1,
    http5xxRate: 0.1,
    malformedRate: 0.1,
    badSignatureRate: 0.1,
  },
  { delayMs: 6000, delayRate: 0.15, stage: "committed", dropRate: 0.1, malformedRate: 0.1 },
  { delayMs: 6000, delayRate: 0.15, stage: "received", http5xxRate: 0.15, badSignatureRate: 0.1 },
  { clockSkewSeconds: 1200 },
];

/** The rotation of a profile; "none" has none. */
export function rotationOf(profile: FaultProfile): readonly GatewayFaultPlan[] {
  return profile === "light" ? light : profile === "heavy" ? heavy : [];
}

/** The plan of phase `n` (0-based) of a profile's rotation, or undefined when the profile injects nothing. */
export function planForPhase(profile: FaultProfile, n: number): GatewayFaultPlan | undefined {
  const rotation = rotationOf(profile);
  return rotation.length === 0 ? undefined : rotation[n % rotation.length];
}
