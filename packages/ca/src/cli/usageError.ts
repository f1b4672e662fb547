/** A mistake in how the CLI was called (exit code 2), as opposed to a failure doing the work (exit 1). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A failure that is fully described by its message (a bad file, a missing PKI directory). */
export class CliFailure extends Error {
  override readonly name = "CliFailure";
}
