/**
 * The merchant's fault plan (docs/faults.md): two pauses around each request to the gateway, the
 * windows in which a killed merchant leaves its work half done. `pauseBeforeSendMs` holds a request
 * the merchant has committed (a CredReq, CapRevReq, CredRevReq or a keyed BatchAdminReq, stored
 * with the order or under its idempotency key) before it leaves; `pauseAfterAuthResMs` holds the
 * gateway's answer (an AuthRes, or any other answer) after its bytes arrived and before the merchant
 * records it. Pure validation.
 */
import { FaultPlanError } from "@setlab/runtime";

export interface MerchantFaultPlan {
  readonly pauseBeforeSendMs?: number;
  readonly pauseAfterAuthResMs?: number;
}

export { FaultPlanError };

/** The longest pause a plan may ask for: 10 minutes. */
export const maxPauseMs = 600_000;

const pauses = ["pauseBeforeSendMs", "pauseAfterAuthResMs"] as const;

export function parseMerchantFaultPlan(json: unknown): MerchantFaultPlan {
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw new FaultPlanError("a fault plan is a JSON object");
  const plan = json as Record<string, unknown>;
  for (const k of Object.keys(plan))
    if (!(pauses as readonly string[]).includes(k))
      throw new FaultPlanError(`unknown field "${k}" (known: ${pauses.join(", ")})`);
  const parsed: Record<string, number> = {};
  for (const k of pauses) {
    const ms = plan[k];
    if (ms === undefined) continue;
    if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0 || ms > maxPauseMs)
      throw new FaultPlanError(`${k} must be an integer from 0 to ${maxPauseMs}, not ${JSON.stringify(ms)}`);
    parsed[k] = ms;
  }
  return parsed as MerchantFaultPlan;
}
