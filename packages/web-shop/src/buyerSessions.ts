/**
 * A buyer's visit: the cart and the orders checked out from it, found by a random cookie. Held in
 * memory only (a shop restart empties carts; orders live in the merchant's store), with a bound
 * on how many visits are kept so that a flood of cookie-less requests cannot grow it without end.
 */
import { randomBytes } from "node:crypto";

export const maxQuantity = 99;

export interface BuyerSession {
  /** Product id to quantity, in the order the buyer added them. */
  readonly cart: Map<string, number>;
  /** Ids of the orders this visit checked out: only they have a checkout page for it. */
  readonly orders: Set<number>;
}

export class BuyerSessions {
  private readonly sessions = new Map<string, BuyerSession>();

  constructor(private readonly capacity = 10_000) {}

  /** The visit of this cookie value, or a new one (with its new id) when there is none. */
  open(id: string | undefined): { id: string; session: BuyerSession } {
    const known = id === undefined ? undefined : this.sessions.get(id);
    if (id !== undefined && known) {
      // Most recently used last: the oldest visit is the one dropped when full.
      this.sessions.delete(id);
      this.sessions.set(id, known);
      return { id, session: known };
    }
    const fresh = randomBytes(18).toString("base64url");
    const session: BuyerSession = { cart: new Map(), orders: new Set() };
    this.sessions.set(fresh, session);
    if (this.sessions.size > this.capacity) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    return { id: fresh, session };
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** Adds `quantity` of a product, never past maxQuantity. */
export function addToCart(session: BuyerSession, productId: string, quantity: number): void {
  const now = session.cart.get(productId) ?? 0;
  session.cart.set(productId, Math.min(maxQuantity, now + quantity));
}
