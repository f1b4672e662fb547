/**
 * The gateway's fault plan (docs/faults.md): which failures it injects into its answers to
 * AuthReqs, as probabilities per AuthReq. Pure: parsing and validation of the JSON an operator
 * PUTs on `/admin/faults`; an invalid plan is a `FaultPlanError` with a message naming the field.
 */
import { FaultPlanError } from "@setlab/runtime";

export type DelayStage = "received" | "committed";

export interface GatewayFaultPlan {
  /** Hold the answer this long (milliseconds)... */
  readonly delayMs?: number;
  /** ...for this share of AuthReqs (default 1 when delayMs is set). */
  readonly delayRate?: number;
  /** Where the delay sits: "received" = body read, nothing processed; "committed" (default) = authorization committed, answer not sent. */
  readonly stage?: DelayStage;
  /** After commit, destroy the connection without an answer. */
  readonly dropRate?: number;
  /** Before processing, answer 503 with no body (nothing committed). */
  readonly http5xxRate?: number;
  /** After commit, answer 200 with bytes that are not a MessageWrapper. */
  readonly malformedRate?: number;
  /** After commit, answer an AuthRes signed with a key that is not the gateway's. */
  readonly badSignatureRate?: number;
  /** The gateway's clock runs this far off (header dates it writes, validity and skew checks). */
  readonly clockSkewSeconds?: number;
  /**
   * The clock of AuthToken schedules runs this far ahead (seconds, 0 or more): the time a later
   * authorization's recurring period and expiry are judged at, and the time the AuthToken it
   * issues records. The gateway's own clock (header dates, validity, CRLs) stays: the lab's way to
   * let a recurring period pass without waiting for it.
   */
  readonly scheduleAdvanceSeconds?: number;
}

export { FaultPlanError };

/** The longest delay a plan may ask for: 10 minutes. */
export const maxDelayMs = 600_000;
/** The largest clock skew a plan may ask for: 10 years. */
export const maxClockSkewSeconds = 10 * 366 * 86_400;

const rateFields = ["delayRate", "dropRate", "http5xxRate", "malformedRate", "badSignatureRate"] as const;
const knownFields = new Set<string>([
  "delayMs",
  "stage",
  "clockSkewSeconds",
  "scheduleAdvanceSeconds",
  ...rateFields,
]);

function finiteNumber(plan: Record<string, unknown>, field: string): number | undefined {
  const v = plan[field];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new FaultPlanError(`${field} must be a number, not ${JSON.stringify(v)}`);
  return v;
}

/** Validate a plan (parsed JSON). Unknown fields, wrong types and out-of-range values are refused. */
export function parseGatewayFaultPlan(json: unknown): GatewayFaultPlan {
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw new FaultPlanError("a fault plan is a JSON object");
  const plan = json as Record<string, unknown>;
  for (const k of Object.keys(plan))
    if (!knownFields.has(k))
      throw new FaultPlanError(`unknown field "${k}" (known: ${[...knownFields].join(", ")})`);
  const out: { -readonly [K in keyof GatewayFaultPlan]: GatewayFaultPlan[K] } = {};
  for (const field of rateFields) {
    const r = finiteNumber(plan, field);
    if (r === undefined) continue;
    if (r < 0 || r > 1) throw new FaultPlanError(`${field} must be between 0 and 1, not ${r}`);
    out[field] = r;
  }
  const delayMs = finiteNumber(plan, "delayMs");
  if (delayMs !== undefined) {
    if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > maxDelayMs)
      throw new FaultPlanError(`delayMs must be an integer from 0 to ${maxDelayMs}, not ${delayMs}`);
    out.delayMs = delayMs;
  }
  if (plan.stage !== undefined) {
    if (plan.stage !== "received" && plan.stage !== "committed")
      throw new FaultPlanError(`stage must be "received" or "committed", not ${JSON.stringify(plan.stage)}`);
    out.stage = plan.stage;
  }
  if ((out.delayRate !== undefined || out.stage !== undefined) && out.delayMs === undefined)
    throw new FaultPlanError("delayRate and stage need delayMs");
  const skew = finiteNumber(plan, "clockSkewSeconds");
  if (skew !== undefined) {
    if (!Number.isInteger(skew) || Math.abs(skew) > maxClockSkewSeconds)
      throw new FaultPlanError(
        `clockSkewSeconds must be an integer from -${maxClockSkewSeconds} to ${maxClockSkewSeconds}, not ${skew}`,
      );
    out.clockSkewSeconds = skew;
  }
  const advance = finiteNumber(plan, "scheduleAdvanceSeconds");
  if (advance !== undefined) {
    if (!Number.isInteger(advance) || advance < 0 || advance > maxClockSkewSeconds)
      throw new FaultPlanError(
        `scheduleAdvanceSeconds must be an integer from 0 to ${maxClockSkewSeconds}, not ${advance}`,
      );
    out.scheduleAdvanceSeconds = advance;
  }
  return out;
}

/** True when the plan injects nothing. */
export function isEmptyPlan(plan: GatewayFaultPlan): boolean {
  return Object.keys(plan).length === 0;
}
