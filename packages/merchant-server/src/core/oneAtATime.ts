/**
 * The merchant's requests to its gateway about one order (or one keyed batch request) run one at
 * a time: a call repeated while the first one waits for the gateway's answer (the back office
 * retrying, startup recovery finishing a request a stopped process left) runs after it, reads
 * what the first one recorded and sends nothing twice. Two requests at once would each build
 * their change from the same reading of the order, and one would be lost or refused.
 */
import type { MerchantContext } from "./context";

/** What one call holds: an order's requests, or a keyed request of no single order. */
export const orderTurn = (orderId: number): string => `order:${orderId}`;
export const keyedTurn = (kind: string, key: string): string => `${kind}:${key}`;

// Per store, not per context: the context is replaced when the gateways' certificates are fetched.
const tails = new WeakMap<object, Map<string, Promise<void>>>();

/**
 * Run `call` once every call started earlier holding any of `turns` has finished. The tails are
 * taken and replaced synchronously, so the waits follow the calls' start order and never form a
 * cycle, whatever turns several calls hold.
 */
export function oneAtATime<T>(
  ctx: MerchantContext,
  turns: readonly string[],
  call: () => Promise<T>,
): Promise<T> {
  const queue = tails.get(ctx.repo) ?? new Map<string, Promise<void>>();
  tails.set(ctx.repo, queue);
  const before = Promise.all(turns.map((t) => queue.get(t)));
  const run = before.then(call);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  for (const t of turns) queue.set(t, settled);
  void settled.then(() => {
    for (const t of turns) if (queue.get(t) === settled) queue.delete(t);
  });
  return run;
}
