/** A problem with the phone's data directory: one line for the operator, no card data in it. */
export class PhoneStoreError extends Error {
  override readonly name = "PhoneStoreError";
}
