/**
 * Card command data that cannot be read or written (SetLabCard.asn). A DecodeError, so it names
 * its SET ErrorCode and where; `sw` is the status word a card answers it with: 6700 for data over
 * its type's size, 6A80 for anything else.
 */
import { DecodeError, type ErrorCode } from "../errors";
import { SW } from "./commandSet";

export class CardDataError extends DecodeError {
  readonly sw: number;
  constructor(code: ErrorCode, message: string, where?: string) {
    super(code, message, where);
    this.sw = code === "messageTooBig" ? SW.BAD_LENGTH : SW.BAD_DATA;
  }
}
