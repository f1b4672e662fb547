/**
 * Digest 6 rule 3, the header date: a request must be dated within the receiver's clock skew
 * (messageTooOld, messageTooNew). Responses are not judged by their date: they answer a request
 * this receiver made, and its fresh RRPID and challenges echoed under the responder's signature
 * are what makes them fresh; a stored answer re-sent after an outage keeps its first date.
 */
import { SetError } from "../errors";

/** The lab's default: 15 minutes either way. */
export const defaultMaxClockSkewMs = 15 * 60 * 1000;

export function checkHeaderDate(date: Date, now: Date, maxSkewMs = defaultMaxClockSkewMs): void {
  const skew = date.getTime() - now.getTime();
  if (skew > maxSkewMs)
    throw new SetError("messageTooNew", "the message is dated in the future", "MessageHeader.date");
  if (-skew > maxSkewMs) throw new SetError("messageTooOld", "the message is too old", "MessageHeader.date");
}
