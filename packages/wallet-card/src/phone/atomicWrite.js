// @ts-check
/**
 * The phone's EEPROM writes: a temporary file in the same directory (mode 0600, a name no other
 * writer can take), fsync, rename over the old file, then fsync the directory so the rename itself
 * survives a power cut. A reader sees the old file or the new one, never a mix.
 *
 * Why rename rather than rewriting the file in place: a crash in the middle of an in-place write
 * leaves a torn record. A MAC would detect it, but the card would then be refused, not back at its
 * last state; only two alternating slots would avoid that, and the older slot would then be a
 * rollback an attacker gets by damaging the newer one. The rename costs a directory fsync per
 * write; the card store pays it once per coalesced group of changes (stateCommit.ts).
 *
 * Plain JavaScript because it also runs inside the state writer thread (stateWriteThread.js),
 * which Node starts from a file without any TypeScript transform.
 */
const { randomBytes } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** @param {string} file */
const tmpName = (file) =>
  path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );

/**
 * Blocking: for one-off writes (personalization, bonds), and for the writer thread, whose
 * blocking is what keeps the phone's event loop free.
 * @param {string} file
 * @param {string | Uint8Array} content
 */
function writeFileAtomic(file, content) {
  const dir = path.dirname(file);
  const tmp = tmpName(file);
  const fd = fs.openSync(tmp, "wx", 0o600);
  try {
    fs.writeSync(fd, typeof content === "string" ? Buffer.from(content, "utf8") : content);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  syncDirectory(dir);
}

/**
 * fsync a directory; a platform that cannot open directories for it (Windows) skips it.
 * @param {string} dir
 */
function syncDirectory(dir) {
  /** @type {number | undefined} */
  let fd;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // best effort: the file itself is already durable
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

module.exports = { writeFileAtomic };
