/**
 * V8 settings every SET Lab process runs with: `runMain` (@setlab/runtime) applies them before a
 * program starts, and the protocol benchmark before it measures. A shop that embeds the library in
 * its own process gets the same figures by calling `tuneV8()` once at start-up.
 *
 * Array buffers swept on the main thread (`--no-concurrent-array-buffer-sweeping`). A byte array
 * above 64 bytes lives outside V8's heap, in memory from malloc. By default V8 frees the dead ones
 * on a background thread, so glibc's allocator takes its arena lock from two threads at once, and
 * on the lab's machine every contended lock is a futex call into a paravirtualized kernel. Measured
 * there (2026-12-08, Node 20): a `new Uint8Array(200)` in a loop cost 3.9 us of CPU with the
 * default and 0.33 us with the sweep on the main thread; the merchant's warm PReq check 89 -> 70
 * us. A payment message is a few dozen such arrays (socket chunks, copies, digests, signatures).
 * The flag is read when a sweep starts, so setting it after start-up takes effect at once.
 */
import { setFlagsFromString } from "node:v8";

let applied = false;

export function tuneV8(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString("--no-concurrent-array-buffer-sweeping");
}
