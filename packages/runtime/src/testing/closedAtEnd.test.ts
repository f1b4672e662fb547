/**
 * closedAtEnd hands a store to the jest setup file scripts/jestCloseStores.cjs, which closes it
 * when the test file ends. A file's end comes after its own tests, so the closing is checked by
 * running the setup file's hook on a set of the test's own.
 */
import { closedAtEnd } from "./closedAtEnd";

const key = Symbol.for("setlab.storesClosedAtEnd");
const registry = () => (globalThis as Record<symbol, Set<unknown> | undefined>)[key];

test("the setup file made this file's set; a store handed over is in it, returned as it was", () => {
  const store = { close: jest.fn() };
  expect(registry()).toBeInstanceOf(Set);
  expect(closedAtEnd(store)).toBe(store);
  expect(registry()!.has(store)).toBe(true);
  expect(store.close).not.toHaveBeenCalled();
});

test("without the setup file it refuses, instead of leaving the store open silently", () => {
  const saved = registry();
  delete (globalThis as Record<symbol, unknown>)[key];
  try {
    expect(() => closedAtEnd({ close: () => {} })).toThrow(/jestCloseStores\.cjs/);
  } finally {
    (globalThis as Record<symbol, unknown>)[key] = saved;
  }
});

test("the setup file closes every store at the file's end, and a close that throws stops nothing", async () => {
  // run the setup file's hook body on a set of our own, as jest runs it at the end of a file
  const closed: string[] = [];
  const setupFile = require("node:fs").readFileSync(
    require("node:path").join(__dirname, "../../../../scripts/jestCloseStores.cjs"),
    "utf8",
  ) as string;
  let hook: (() => Promise<void>) | undefined;
  const fakeGlobal: Record<symbol, unknown> = {};
  new Function("afterAll", "globalThis", setupFile)((fn: () => Promise<void>) => {
    hook = fn;
  }, fakeGlobal);
  const stores = fakeGlobal[key] as Set<{ close(): Promise<void> | void }>;
  stores.add({
    close: () => {
      throw new Error("already closed");
    },
  });
  stores.add({ close: async () => void closed.push("a") });
  stores.add({ close: () => void closed.push("b") });
  await hook!();
  expect(closed).toEqual(["a", "b"]);
  expect(stores.size).toBe(0);
});
