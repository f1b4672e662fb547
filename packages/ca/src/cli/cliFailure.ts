/** A failure of a `set-ca` command that is fully described by its message (a bad file, a missing PKI directory). */
export class CliFailure extends Error {
  override readonly name = "CliFailure";
}
