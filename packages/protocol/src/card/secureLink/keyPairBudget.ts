/**
 * How many key pairs the phone makes for pairings begun by someone it does not know yet. Every
 * HELLO costs the phone a fresh P-256 key pair (about 0.1 ms of CPU), and a HELLO costs its sender
 * next to nothing, so without a bound a flood of HELLOs turns into a flood of key pairs. A token
 * bucket: `burst` at once (enough for a lab's concurrent first pairings), then `perSecond`. A
 * HELLO over the budget is answered before any elliptic-curve work. Resumptions do not draw from
 * it: the phone looks their bond up first, so only a PC holding a bond gets a key pair made. The
 * clock is injected.
 */
export interface KeyPairBudgetOptions {
  readonly perSecond: number;
  readonly burst: number;
  readonly now?: () => number;
}

export class KeyPairBudget {
  private tokens: number;
  private last: number;
  readonly perSecond: number;
  readonly burst: number;
  private readonly now: () => number;

  constructor(options: KeyPairBudgetOptions) {
    this.perSecond = options.perSecond;
    this.burst = options.burst;
    this.now = options.now ?? Date.now;
    if (!(Number.isFinite(this.perSecond) && this.perSecond > 0))
      throw new RangeError("perSecond must be a positive number");
    if (!(Number.isInteger(this.burst) && this.burst >= 1)) throw new RangeError("burst must be at least 1");
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** True, and one key pair spent, when the budget allows one now. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) * this.perSecond) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
