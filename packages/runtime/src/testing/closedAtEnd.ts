/**
 * A store a test opens stays open until the test file ends, then is closed by the jest setup
 * file `scripts/jestCloseStores.cjs`: a SQLite database (and its writer thread) left open makes
 * the jest worker that ran the file slow to exit, since each one is checkpointed and synced as the
 * process ends. Closing twice is harmless: a test that closes its store itself may still hand it
 * here.
 */

/** The set the setup file made for this test file (a global of the test file's environment). */
const key = Symbol.for("setlab.storesClosedAtEnd");

export interface Closable {
  close(): Promise<void> | void;
}

/** Close `store` when the test file ends; returns it. */
export function closedAtEnd<T extends Closable>(store: T): T {
  const stores = (globalThis as Record<symbol, Set<Closable> | undefined>)[key];
  if (!stores) throw new Error("closedAtEnd needs jest's setup file scripts/jestCloseStores.cjs");
  stores.add(store);
  return store;
}
