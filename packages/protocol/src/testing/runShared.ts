/**
 * Test-only: files made once per test run and shared by every jest worker, made by whichever
 * process first asks for one.
 *
 * Jest's global setup (`scripts/jestGlobalSetup.cjs`) makes an empty directory for the run and
 * names it in `SETLAB_TEST_RUN_DIR`; its teardown removes it. `runShared(name, make)` returns the
 * run directory's `name`, making it first when it is not there: the first process takes a lock
 * (an atomic `mkdir`), makes it under a temporary name and renames it into place; the others
 * wait for the rename. So a run that never asks pays nothing, and one that asks from three
 * workers at once makes it once. Outside such a run (no variable), it returns undefined and the
 * caller makes its own.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const testRunDirVariable = "SETLAB_TEST_RUN_DIR";

/** How long a process waits for another to make a shared file before it gives up. */
const waitLimitMs = 180_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** The run's shared `name`, made by `make(into)` if nobody has yet; undefined outside a test run. */
export function runShared(name: string, make: (into: string) => void): string | undefined {
  const dir = process.env[testRunDirVariable];
  if (!dir || !fs.existsSync(dir)) return undefined;
  const target = path.join(dir, name);
  const lock = `${target}.lock`;
  const deadline = Date.now() + waitLimitMs;
  for (;;) {
    if (fs.existsSync(target)) return target;
    if (takeLock(lock)) {
      const temporary = `${target}.${process.pid}.tmp`;
      try {
        make(temporary);
        fs.renameSync(temporary, target);
      } catch (e) {
        // Let a waiting process try in its turn.
        fs.rmSync(temporary, { recursive: true, force: true });
        fs.rmSync(lock, { recursive: true, force: true });
        throw e;
      }
      return target;
    }
    if (Date.now() > deadline)
      throw new Error(`${target}: another test process has been making it for ${waitLimitMs / 1000} s`);
    Atomics.wait(pause, 0, 0, 25);
  }
}

function takeLock(lock: string): boolean {
  try {
    fs.mkdirSync(lock);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}
