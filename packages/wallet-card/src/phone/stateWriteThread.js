// @ts-check
/**
 * The phone's state writer thread: each message is one durable write, made with blocking calls
 * here, so the phone's event loop pays one message each way per write instead of a thread-pool
 * round trip per system call. A message with `slots` overwrites slots of the card's state file in
 * place, one after the other (slotWrite.js: pwrite, fdatasync); one with `content` replaces a whole
 * file (atomicWrite.js: a temporary file, fsync, rename, the directory's fsync). The answer goes
 * back once every write of the message is durable.
 */
const { parentPort } = require("node:worker_threads");
const { writeFileAtomic } = require("./atomicWrite");
const { writeSlots } = require("./slotWrite");

if (!parentPort) throw new Error("stateWriteThread.js runs as a worker thread");
const port = parentPort;

/** @typedef {{ offset: number, content: string | Uint8Array }} SlotWrite */
/** @typedef {{ id: number, file: string } & ({ content: string | Uint8Array } | { slots: SlotWrite[] })} WriteMessage */

port.on("message", (/** @type {WriteMessage} */ m) => {
  try {
    if ("slots" in m) writeSlots(m.file, m.slots);
    else writeFileAtomic(m.file, m.content);
    port.postMessage({ id: m.id });
  } catch (e) {
    const err = /** @type {NodeJS.ErrnoException} */ (e);
    port.postMessage({ id: m.id, error: { message: err.message, code: err.code, syscall: err.syscall } });
  }
});
