/**
 * The passphrase that protects keys and card data at rest (docs/keys-at-rest.md). Every program
 * reads the same environment variable, so one setting opens what `set-ca init` wrote, what the
 * merchant and gateway decrypt and what the phone seals.
 */

/** The lab's documented default: it lets a fresh checkout run, and protects nothing. */
export const labPassphrase = "setlab";

/** The one environment variable every program reads for the passphrase. */
export const passphraseVariable = "SETLAB_PASSPHRASE";

/** `SETLAB_PASSPHRASE` when set and not empty, else the lab default. */
export function keyPassphrase(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[passphraseVariable];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : labPassphrase;
}
