/**
 * The phone's limit on wrong pairing codes. Only a refused code proof counts: a commitment that
 * does not open with the phone's bit of the code, or a key confirmation that fails. A connection
 * that proves nothing (a HELLO and a hang-up, a stall, a malformed message, a PC that leaves)
 * learns nothing about the code and costs nothing, so it cannot be used to lock the owner out.
 *
 * After `maxFailures` refused proofs in a row the phone refuses new pairings for a lockout that
 * doubles with each lockout in a row (`lockoutMs`, 2x, 4x ... up to `maxLockoutMs`), which bounds
 * the guesses an attacker gets per hour. Refused attempts during a lockout are not proofs and do
 * not extend it; only more wrong codes do. A successful pairing resets the count and the
 * doubling, and so does a quiet spell, as long as the longest lockout, after the last lockout ended with no
 * wrong proof. The
 * clock is injected.
 */
export interface PairingThrottleOptions {
  /** Refused code proofs in a row before a lockout (default 3). */
  readonly maxFailures?: number;
  /** The first lockout, in milliseconds (default 30 000). */
  readonly lockoutMs?: number;
  /** The longest lockout the doubling reaches (default 16 x lockoutMs). */
  readonly maxLockoutMs?: number;
  readonly now?: () => number;
}

export class PairingThrottle {
  private failures = 0;
  /** Lockouts in a row without a successful pairing or a quiet spell. */
  private lockouts = 0;
  private lockedUntil = 0;
  private lastFailure = Number.NEGATIVE_INFINITY;
  readonly maxFailures: number;
  readonly lockoutMs: number;
  readonly maxLockoutMs: number;
  private readonly now: () => number;

  constructor(options: PairingThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 3;
    this.lockoutMs = options.lockoutMs ?? 30_000;
    this.maxLockoutMs = options.maxLockoutMs ?? 16 * this.lockoutMs;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.maxFailures) || this.maxFailures < 1)
      throw new RangeError("maxFailures must be a positive integer");
    if (!Number.isFinite(this.lockoutMs) || this.lockoutMs < 0)
      throw new RangeError("lockoutMs must be >= 0");
    if (!Number.isFinite(this.maxLockoutMs) || this.maxLockoutMs < this.lockoutMs)
      throw new RangeError("maxLockoutMs must be >= lockoutMs");
  }

  /** Milliseconds left in the lockout, 0 when a pairing may start. */
  lockedFor(): number {
    return Math.max(0, this.lockedUntil - this.now());
  }

  /**
   * Record a refused code proof; returns the lockout this failure started, in milliseconds, or 0.
   * Proofs refused during a lockout (attempts started before it) count towards the next one.
   */
  failed(): number {
    const now = this.now();
    if (now - Math.max(this.lastFailure, this.lockedUntil) >= this.maxLockoutMs) {
      this.failures = 0;
      this.lockouts = 0;
    }
    this.lastFailure = now;
    this.failures++;
    if (this.failures < this.maxFailures) return 0;
    this.failures = 0;
    this.lockouts++;
    const ms = Math.min(this.lockoutMs * 2 ** Math.min(this.lockouts - 1, 30), this.maxLockoutMs);
    this.lockedUntil = Math.max(this.lockedUntil, now + ms);
    return ms;
  }

  succeeded(): void {
    this.failures = 0;
    this.lockouts = 0;
  }

  /**
   * The owner reopened pairing on the phone (a command only the phone's user can run): the
   * lockout ends now and the count and the doubling start again. Guesses stay bounded: a stranger
   * gets `maxFailures` more wrong proofs per reopening, each against a code no proof tested before.
   */
  reopen(): void {
    this.failures = 0;
    this.lockouts = 0;
    this.lockedUntil = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
