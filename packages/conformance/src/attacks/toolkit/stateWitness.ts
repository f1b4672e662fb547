/**
 * Proof that an attack changed nothing: a snapshot of what the lab recorded about one purchase
 * (the merchant's order, the gateway's authorizations for its XID, the issuer's view of the card's
 * account), taken before and after, and compared.
 */
import type { AttackTarget } from "../attack";
import { accountOf, authorizationsFor, orderView } from "./labHttp";

export interface StateSnapshot {
  readonly orderState?: string;
  readonly orderHistory: number;
  readonly authorizations: number;
  readonly approved: number;
  /** JSON of the account view (balance, held), or "none". */
  readonly account: string;
}

export interface Watched {
  readonly orderId?: string;
  /** XIDs (hex) whose authorizations count. */
  readonly xids: readonly string[];
  readonly cardId?: string;
}

export async function snapshot(target: AttackTarget, watched: Watched): Promise<StateSnapshot> {
  const order = watched.orderId ? await orderView(target, watched.orderId) : undefined;
  let authorizations = 0;
  let approved = 0;
  for (const xid of watched.xids) {
    const list = await authorizationsFor(target, xid);
    authorizations += list.length;
    approved += list.filter((a) => a.authCode === "approved").length;
  }
  const account = watched.cardId ? await accountOf(target, watched.cardId) : undefined;
  return {
    orderState: order?.state,
    orderHistory: order?.history?.length ?? 0,
    authorizations,
    approved,
    account: account ? JSON.stringify(account) : "none",
  };
}

/** What differs between two snapshots, one phrase each; empty when nothing changed. */
export function changes(before: StateSnapshot, after: StateSnapshot): string[] {
  const out: string[] = [];
  if (before.orderState !== after.orderState)
    out.push(`order ${before.orderState ?? "-"} -> ${after.orderState ?? "-"}`);
  else if (before.orderHistory !== after.orderHistory)
    out.push(`order history ${before.orderHistory} -> ${after.orderHistory} entries`);
  if (before.authorizations !== after.authorizations)
    out.push(`authorizations ${before.authorizations} -> ${after.authorizations}`);
  if (before.account !== after.account) out.push("account balance or holds changed");
  return out;
}

/** Run `act` between two snapshots; returns its result and what changed. */
export async function watch<T>(
  target: AttackTarget,
  watched: Watched | (() => Watched),
  act: () => Promise<T>,
): Promise<{ result: T; changed: string[]; before: StateSnapshot; after: StateSnapshot }> {
  const w = typeof watched === "function" ? watched() : watched;
  const before = await snapshot(target, w);
  const result = await act();
  const after = await snapshot(target, typeof watched === "function" ? watched() : w);
  return { result, changed: changes(before, after), before, after };
}
