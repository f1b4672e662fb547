/** A failure to read or use a lab PKI directory: one line for the operator, never a stack. */
export class LabPkiError extends Error {
  override readonly name = "LabPkiError";
}
