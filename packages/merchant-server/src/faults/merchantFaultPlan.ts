/**
 * The merchant's fault plan (docs/faults.md): `pauseAfterAuthResMs` holds the gateway's answer
 * after its bytes arrived and before the merchant records it or answers the PReq (the window in
 * which a killed merchant has an authorization it never recorded). Pure validation.
 */
import { FaultPlanError } from "@setlab/runtime";

export interface MerchantFaultPlan {
  readonly pauseAfterAuthResMs?: number;
}

export { FaultPlanError };

/** The longest pause a plan may ask for: 10 minutes. */
export const maxPauseMs = 600_000;

export function parseMerchantFaultPlan(json: unknown): MerchantFaultPlan {
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw new FaultPlanError("a fault plan is a JSON object");
  const plan = json as Record<string, unknown>;
  for (const k of Object.keys(plan))
    if (k !== "pauseAfterAuthResMs")
      throw new FaultPlanError(`unknown field "${k}" (known: pauseAfterAuthResMs)`);
  const ms = plan.pauseAfterAuthResMs;
  if (ms === undefined) return {};
  if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0 || ms > maxPauseMs)
    throw new FaultPlanError(
      `pauseAfterAuthResMs must be an integer from 0 to ${maxPauseMs}, not ${JSON.stringify(ms)}`,
    );
  return { pauseAfterAuthResMs: ms };
}
