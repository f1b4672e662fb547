import { keyPassphrase } from "@setlab/runtime";
import { optionalString, type Parsed } from "./args";

/** --passphrase, else $SETLAB_PASSPHRASE (the variable every party reads), else the lab default. */
export function passphraseOf(parsed: Parsed): string {
  return optionalString(parsed, "passphrase") ?? keyPassphrase();
}

export const dirOptions = { dir: { type: "string" }, passphrase: { type: "string" } } as const;
