/**
 * The open-loop load: purchases arrive on a fixed schedule (`rate` per second for `seconds`)
 * whether or not earlier ones have finished, the way buyers do, and each purchase's latency is
 * measured from its scheduled arrival, not from when the loop got round to starting it. A closed
 * loop (N workers) slows its own arrivals when the system slows and so hides the queueing
 * ("coordinated omission"); this one shows it. Arrivals that find `maxInFlight` purchases already
 * running are not started and count as lost: a safety valve, reported, never hidden.
 */
import type { Sample } from "./load";
import { percentile } from "./percentile";

export interface OpenLoopPlan {
  readonly rate: number;
  readonly seconds: number;
  readonly maxInFlight: number;
}

export interface Arrival {
  /** Milliseconds from the start of the schedule to this arrival. */
  readonly scheduledMs: number;
  /** Milliseconds from the scheduled arrival to the purchase's end; undefined when not started. */
  readonly ms?: number;
  /** How late the loop started it (timer and event-loop delay), ms. */
  readonly startLagMs?: number;
  readonly outcome: Sample["outcome"] | "notStarted";
  readonly reason?: string;
}

export interface Clock {
  now(): number;
  /** Resolve at (or soon after) `at`, in now()'s milliseconds. */
  sleepUntil(at: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleepUntil: (at) =>
    new Promise((resolve) => {
      const wait = at - performance.now();
      if (wait <= 0) setImmediate(resolve);
      else setTimeout(resolve, wait);
    }),
};

/** The arrival times of a plan, ms from its start. */
export function schedule(plan: Pick<OpenLoopPlan, "rate" | "seconds">): number[] {
  if (!(plan.rate > 0) || !(plan.seconds > 0))
    throw new RangeError("an open loop needs a positive rate and duration");
  const n = Math.max(1, Math.round(plan.rate * plan.seconds));
  return Array.from({ length: n }, (_, i) => (i * 1000) / plan.rate);
}

export async function runOpenLoop(
  plan: OpenLoopPlan,
  purchase: (i: number) => Promise<Sample>,
  clock: Clock = realClock,
): Promise<Arrival[]> {
  const times = schedule(plan);
  const arrivals: Arrival[] = new Array(times.length);
  const running: Promise<void>[] = [];
  let inFlight = 0;
  const t0 = clock.now();
  for (let i = 0; i < times.length; i++) {
    const due = t0 + times[i];
    await clock.sleepUntil(due);
    if (inFlight >= plan.maxInFlight) {
      arrivals[i] = { scheduledMs: times[i], outcome: "notStarted" };
      continue;
    }
    inFlight++;
    const startLagMs = clock.now() - due;
    running.push(
      purchase(i).then(
        (s) => {
          inFlight--;
          arrivals[i] = {
            scheduledMs: times[i],
            ms: clock.now() - due,
            startLagMs,
            outcome: s.outcome,
            ...(s.reason ? { reason: s.reason } : {}),
          };
        },
        (e: unknown) => {
          inFlight--;
          arrivals[i] = {
            scheduledMs: times[i],
            ms: clock.now() - due,
            startLagMs,
            outcome: "error",
            reason: (e as Error).message,
          };
        },
      ),
    );
  }
  await Promise.all(running);
  return arrivals;
}

export interface OpenLoopSummary {
  readonly rate: number;
  readonly seconds: number;
  readonly arrivals: number;
  readonly approved: number;
  /** Finished other than approved (declined, refused, failed, error). */
  readonly failed: number;
  readonly notStarted: number;
  /** Approved purchases per second over the time from the first arrival to the last end. */
  readonly approvedPerSecond: number;
  /**
   * Latency from the scheduled arrival, over every arrival; a purchase that was not approved
   * counts as infinitely slow, so a percentile it reaches is null (JSON has no Infinity).
   */
  readonly latency: {
    readonly p50: number | null;
    readonly p90: number | null;
    readonly p99: number | null;
    readonly max: number | null;
  };
  /** The worst delay between a scheduled arrival and its start: the load generator's own lag. */
  readonly maxStartLagMs: number;
  /** Finished but not approved, by outcome and reason (the five most frequent). */
  readonly failures: readonly { readonly what: string; readonly count: number }[];
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function summarizeOpenLoop(plan: OpenLoopPlan, arrivals: readonly Arrival[]): OpenLoopSummary {
  const approved = arrivals.filter((a) => a.outcome === "approved");
  const notStarted = arrivals.filter((a) => a.outcome === "notStarted").length;
  const lat = arrivals.map((a) =>
    a.outcome === "approved" && a.ms !== undefined ? a.ms : Number.POSITIVE_INFINITY,
  );
  const failures = new Map<string, number>();
  for (const a of arrivals)
    if (a.outcome !== "approved" && a.outcome !== "notStarted") {
      const k = `${a.outcome}: ${a.reason ?? ""}`;
      failures.set(k, (failures.get(k) ?? 0) + 1);
    }
  const span = arrivals.reduce((m, a) => Math.max(m, a.scheduledMs + (a.ms ?? 0)), 0);
  return {
    rate: plan.rate,
    seconds: plan.seconds,
    arrivals: arrivals.length,
    approved: approved.length,
    failed: arrivals.length - approved.length - notStarted,
    notStarted,
    approvedPerSecond: span > 0 ? (approved.length * 1000) / span : 0,
    latency: {
      p50: finite(percentile(lat, 50)),
      p90: finite(percentile(lat, 90)),
      p99: finite(percentile(lat, 99)),
      max: finite(lat.length === 0 ? Number.NaN : lat.reduce((m, x) => Math.max(m, x), -Infinity)),
    },
    maxStartLagMs: arrivals.reduce((m, a) => Math.max(m, a.startLagMs ?? 0), 0),
    failures: [...failures]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([what, count]) => ({ what, count })),
  };
}
