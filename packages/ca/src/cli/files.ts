/** File access for the CLI with one-line failures instead of Node's multi-line errors. */
import * as fs from "node:fs";
import { CliFailure } from "./usageError";

const reasons: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a parent is not a directory",
  EEXIST: "already exists",
};

export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && reasons[code]) ?? (e as Error).message.split("\n")[0];
}

export function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(path));
  } catch (e) {
    throw new CliFailure(`cannot read ${path}: ${fsReason(e)}`);
  }
}
