/** File access for the CLI with one-line failures instead of Node's multi-line errors. */
import * as fs from "node:fs";
import { fsReason } from "@setlab/runtime";
import { CliFailure } from "./cliFailure";

export function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(path));
  } catch (e) {
    throw new CliFailure(`cannot read ${path}: ${fsReason(e)}`);
  }
}
