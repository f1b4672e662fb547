// @ts-check
/**
 * The phone's state writer thread: each message is one atomic write (atomicWrite.js), made with
 * blocking calls here, so the phone's event loop pays one message each way per write instead of a
 * thread-pool round trip per system call (open, write, fsync, close, rename, and the directory's
 * open, fsync, close). The answer goes back once the rename and the directory are durable.
 */
const { parentPort } = require("node:worker_threads");
const { writeFileAtomic } = require("./atomicWrite");

if (!parentPort) throw new Error("stateWriteThread.js runs as a worker thread");
const port = parentPort;

port.on("message", (/** @type {{ id: number, file: string, content: string | Uint8Array }} */ m) => {
  try {
    writeFileAtomic(m.file, m.content);
    port.postMessage({ id: m.id });
  } catch (e) {
    const err = /** @type {NodeJS.ErrnoException} */ (e);
    port.postMessage({ id: m.id, error: { message: err.message, code: err.code, syscall: err.syscall } });
  }
});
