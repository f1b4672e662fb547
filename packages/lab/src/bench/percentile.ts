/** Latency statistics of a run: nearest-rank percentiles over the measured durations. */

/** The p-th percentile (0 < p <= 100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)];
}

export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const count = samples.length;
  const mean = count === 0 ? Number.NaN : samples.reduce((s, x) => s + x, 0) / count;
  return {
    count,
    mean,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    // reduce, not Math.max(...samples): a long soak has more samples than a call takes arguments.
    max: count === 0 ? Number.NaN : samples.reduce((m, x) => Math.max(m, x), Number.NEGATIVE_INFINITY),
  };
}
