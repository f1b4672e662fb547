/**
 * One authorization decision at a time: the step from "is this RRPID or XID known?" to "row
 * committed" spans an async signature, so decisions are serialized to keep that step atomic.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(step: () => Promise<T>): Promise<T> {
    const next = this.tail.then(step, step);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
