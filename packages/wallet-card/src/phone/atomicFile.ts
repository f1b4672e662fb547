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
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const tmpName = (file: string) =>
  path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );

const bytesOf = (content: string | Uint8Array) =>
  typeof content === "string" ? Buffer.from(content, "utf8") : content;

/** For one-off writes (personalization, bonds), where blocking the caller does not matter. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const dir = path.dirname(file);
  const tmp = tmpName(file);
  const fd = fs.openSync(tmp, "wx", 0o600);
  try {
    fs.writeSync(fd, bytesOf(content));
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
 * The same steps with every system call in libuv's thread pool: a server keeps answering while the
 * disk syncs. It resolves once the new file and its rename are durable.
 */
export async function writeFileAtomicAsync(file: string, content: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = tmpName(file);
  const handle = await fs.promises.open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(bytesOf(content));
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  await syncDirectoryAsync(dir);
}

/** fsync a directory; a platform that cannot open directories for it (Windows) skips it. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // best effort: the file itself is already durable
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

async function syncDirectoryAsync(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, "r");
    await handle.sync();
  } catch {
    // best effort, as above
  } finally {
    await handle?.close();
  }
}
