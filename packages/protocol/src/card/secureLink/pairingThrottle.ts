/**
 * The phone's limit on failed pairings: after `maxFailures` failed pairings in a row it refuses
 * every new pairing for `lockoutMs`, so an attacker gets a few guesses a minute, never a stream of
 * them. A successful pairing resets the count. The clock is injected.
 */
export interface PairingThrottleOptions {
  /** Failed pairings in a row before the lockout (default 3). */
  readonly maxFailures?: number;
  /** How long new pairings are refused, in milliseconds (default 30 000). */
  readonly lockoutMs?: number;
  readonly now?: () => number;
}

export class PairingThrottle {
  private failures = 0;
  private lockedUntil = 0;
  readonly maxFailures: number;
  readonly lockoutMs: number;
  private readonly now: () => number;

  constructor(options: PairingThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 3;
    this.lockoutMs = options.lockoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.maxFailures) || this.maxFailures < 1)
      throw new RangeError("maxFailures must be a positive integer");
    if (!Number.isFinite(this.lockoutMs) || this.lockoutMs < 0)
      throw new RangeError("lockoutMs must be >= 0");
  }

  /** Milliseconds left in the lockout, 0 when a pairing may start. */
  lockedFor(): number {
    return Math.max(0, this.lockedUntil - this.now());
  }

  /** Record a failed pairing; true when this failure started a lockout. */
  failed(): boolean {
    this.failures++;
    if (this.failures >= this.maxFailures) {
      this.failures = 0;
      this.lockedUntil = this.now() + this.lockoutMs;
      return true;
    }
    return false;
  }

  succeeded(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
