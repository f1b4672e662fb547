// Jest setup file (setupFilesAfterEnv): the stores a test file handed to `closedAtEnd`
// (@setlab/runtime/testing) are closed when the file ends, so no SQLite database outlives it.
const key = Symbol.for("setlab.storesClosedAtEnd");
globalThis[key] = new Set();
afterAll(async () => {
  const stores = [...globalThis[key]];
  globalThis[key].clear();
  for (const store of stores) {
    try {
      await store.close();
    } catch {
      // already closed, or closing failed: the file's own tests say what they expect of close
    }
  }
});
