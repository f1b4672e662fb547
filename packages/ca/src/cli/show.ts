/** `set-ca show FILE`: a readable dump of a certificate, CRL or BrandCRLIdentifier (PEM or DER). */

import type { CliIo } from "@setlab/runtime";
import { parse } from "./args";
import { describe, detectKind } from "./describe";
import { readInput } from "./files";
import { readObject } from "./pem";

export const showUsage = "set-ca show FILE";

export async function show(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse("show", args, {}, { min: 1, max: 1 });
  const { der, label } = readObject(readInput(parsed.positionals[0]));
  io.out(await describe(der, detectKind(der, label)));
  return 0;
}
