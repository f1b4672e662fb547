/**
 * When a request that keeps failing is asked for again: after its n-th failure in a row it waits
 * `firstMs * 2^(n-1)`, at most `maxMs`, and never gives up (a capture or credit the gateway may
 * have booked must end recorded; the attempt count in each report is what monitoring alerts on).
 * A success forgets the request. Kept in memory: a restarted process asks for everything at once,
 * which is what recovery after a crash needs.
 */
export class RetryBackoff {
  private readonly failures = new Map<string, { count: number; dueAt: number }>();

  constructor(
    private readonly firstMs = 5_000,
    private readonly maxMs = 15 * 60_000,
  ) {}

  /** Whether `key` may be asked for again at `now` (ms). */
  due(key: string, now: number): boolean {
    const f = this.failures.get(key);
    return f === undefined || now >= f.dueAt;
  }

  /** Record a failed attempt; returns how many failed in a row. */
  failed(key: string, now: number): number {
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    const wait = Math.min(this.maxMs, this.firstMs * 2 ** Math.min(count - 1, 30));
    this.failures.set(key, { count, dueAt: now + wait });
    return count;
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }
}
