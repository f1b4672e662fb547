/**
 * Files and directories that hold card data, orders, messages or keys are the owner's alone: 0600
 * files, 0700 directories, whatever the process's umask. SQLite gives a database's -wal and -shm
 * files the database file's mode, so a database made owner-only here stays so.
 */
import * as fs from "node:fs";

/** Create `file` if it is missing, and make it (and an existing one) mode 0600. In-memory names pass. */
export function ensureOwnerOnlyFile(file: string): void {
  if (file === "" || file === ":memory:" || file.startsWith("file::memory:")) return;
  fs.closeSync(fs.openSync(file, "a", 0o600));
  fs.chmodSync(file, 0o600);
}

/** Create `dir` (and its parents) if missing, and make it mode 0700. */
export function ensureOwnerOnlyDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** Write `data` to a new or existing `file` with mode 0600 from the first byte on. */
export function writeOwnerOnlyFile(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, "w", 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A secret handed to a process in a file rather than on its command line (which every local user
 * can read in /proc/PID/cmdline): the file must be a regular file that neither group nor others
 * can read or write. Returns its content without the surrounding whitespace; a file that fails
 * the check throws, naming the file and its mode, never its content.
 */
export function readOwnerOnlyFile(file: string, what: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new Error(`${what} file ${file} cannot be read`);
  }
  if (!stat.isFile()) throw new Error(`${what} file ${file} is not a file`);
  if ((stat.mode & 0o077) !== 0)
    throw new Error(
      `${what} file ${file} is open to others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`,
    );
  return fs.readFileSync(file, "utf8").trim();
}
