/**
 * A call the merchant refuses before it asks the gateway or stores anything, with a stable `code`
 * a shop may branch on (the message may change). Each operation has its own subclass and codes.
 */
export class InputError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}
