/**
 * Group commit of one card's state (its EEPROM): while a write is in flight, further changes wait
 * and the newest of them is written next, once, for all of them. Each caller's promise resolves
 * only when a write holding its state or a later one is durable, so "durable before the card
 * answers" still holds; a write that fails rejects exactly the callers that waited on it.
 * Writes never overlap, so an older state can never land after a newer one.
 */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class StateCommit<T> {
  private next: { value: T; waiters: Waiter[] } | undefined;
  private writing = false;
  private writes = 0;

  constructor(private readonly write: (value: T) => Promise<void>) {}

  /** How many writes ran so far (what the coalescing saved shows against the calls). */
  get writeCount(): number {
    return this.writes;
  }

  /** Make `value` (the newest state: it replaces any not yet written) durable. */
  commit(value: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.next) this.next.value = value;
      else this.next = { value, waiters: [] };
      this.next.waiters.push({ resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.next) {
      const group = this.next;
      this.next = undefined;
      this.writes++;
      try {
        await this.write(group.value);
      } catch (e) {
        for (const w of group.waiters) w.reject(e);
        continue;
      }
      for (const w of group.waiters) w.resolve();
    }
    this.writing = false;
  }
}
