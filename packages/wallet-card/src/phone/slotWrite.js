// @ts-check
/**
 * The card state's in-place writes: slots of `state.slots` overwritten where they stand, each
 * followed by `fdatasync` before the next begins. No new file, no rename, no directory sync: the
 * file's blocks already exist, so the disk sees the slot's bytes and a cache flush, not a journal
 * commit. Which slot is written first, and why a crash at any point leaves the newest durable
 * state readable: cardStateFile.ts.
 *
 * Plain JavaScript because it also runs inside the state writer thread (stateWriteThread.js).
 */
const fs = require("node:fs");

/**
 * Blocking: each `{ offset, content }` in order, overwritten in the existing `file` and durable
 * before the next is written. The file must exist (the card's personalization made it); a symbolic
 * link in its place is refused.
 * @param {string} file
 * @param {readonly { offset: number, content: string | Uint8Array }[]} writes
 */
function writeSlots(file, writes) {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW);
  try {
    for (const { offset, content } of writes) {
      const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
      for (let done = 0; done < bytes.length; )
        done += fs.writeSync(fd, bytes, done, bytes.length - done, offset + done);
      fs.fdatasyncSync(fd);
    }
  } finally {
    fs.closeSync(fd);
  }
}

module.exports = { writeSlots };
