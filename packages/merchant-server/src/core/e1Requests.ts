/**
 * The embodiment 1 requests the merchant has sent and not yet seen answered, in memory. An
 * E1InfoReq, like a PInitRes, is issued to whoever names the order (nothing authenticates the
 * asker), so it must not consume the order: a new one replaces the order's earlier one, and a
 * restart forgets them all (the buyer asks again). What the merchant commits to its store is the
 * order's XID and, once the card answered, every state change and the merchant's own messages.
 * Bounded, so that a stranger asking in a loop costs a fixed amount of memory.
 */
import type { schema } from "@setlab/protocol";

export interface E1Request {
  /** The embodiment that issued it: an answer of the other embodiment is for no request of it. */
  readonly embodiment: 1 | 2;
  readonly orderId: number;
  readonly lid_M: Uint8Array;
  readonly xid: Uint8Array;
  readonly chall_M: Uint8Array;
  readonly purchAmt: schema.CurrencyAmount;
  readonly brands: readonly string[];
  /** When it was issued (ms since the epoch): a request older than `maxAgeMs` is forgotten. */
  readonly at: number;
}

/** Open requests by XID; the second embodiment keeps more per request (`T`). */
export class E1Requests<T extends E1Request = E1Request> {
  private readonly byXid = new Map<string, T>();
  private readonly xidOfOrder = new Map<number, string>();

  constructor(
    private readonly limit = 10_000,
    private readonly maxAgeMs = 15 * 60_000,
  ) {}

  /** Record a request; the order's earlier one, and the oldest beyond the limit, are dropped. */
  issue(request: T): void {
    const key = Buffer.from(request.xid).toString("hex");
    const earlier = this.xidOfOrder.get(request.orderId);
    if (earlier !== undefined) this.byXid.delete(earlier);
    this.byXid.set(key, request);
    this.xidOfOrder.set(request.orderId, key);
    while (this.byXid.size > this.limit) {
      const [oldest, old] = this.byXid.entries().next().value as [string, T];
      this.byXid.delete(oldest);
      if (this.xidOfOrder.get(old.orderId) === oldest) this.xidOfOrder.delete(old.orderId);
    }
  }

  /** The open request with this XID, left open: an answer that fails its checks does not close it. */
  find(xid: Uint8Array, now: number): T | undefined {
    const found = this.byXid.get(Buffer.from(xid).toString("hex"));
    return found && now - found.at <= this.maxAgeMs ? found : undefined;
  }

  /** The request with this XID, taken out: one answer per request. */
  take(xid: Uint8Array, now: number): T | undefined {
    const key = Buffer.from(xid).toString("hex");
    const found = this.byXid.get(key);
    if (!found) return undefined;
    this.byXid.delete(key);
    if (this.xidOfOrder.get(found.orderId) === key) this.xidOfOrder.delete(found.orderId);
    return now - found.at > this.maxAgeMs ? undefined : found;
  }

  get size(): number {
    return this.byXid.size;
  }
}
