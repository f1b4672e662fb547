import { optionalString, type Parsed } from "./args";
import { labPassphrase } from "./keys";

/** --passphrase, else $SET_CA_PASSPHRASE, else $SETLAB_PASSPHRASE (every party reads it), else the lab default. */
export function passphraseOf(parsed: Parsed): string {
  return (
    optionalString(parsed, "passphrase") ??
    process.env.SET_CA_PASSPHRASE ??
    (process.env.SETLAB_PASSPHRASE || undefined) ??
    labPassphrase
  );
}

export const dirOptions = { dir: { type: "string" }, passphrase: { type: "string" } } as const;
