/**
 * Digest 6 rule 3 at the merchant: a new PInitReq or PReq must carry a header date within the
 * merchant's clock skew. A request the merchant already answered gets its stored answer whatever
 * its age (a retry after an outage), so this runs only for requests taken for the first time.
 */
import { SetError } from "@setlab/protocol";

/** The lab's default: 15 minutes either way, as at the gateway. */
export const defaultMaxClockSkewMs = 15 * 60 * 1000;

export function checkHeaderDate(date: Date, now: Date, maxSkewMs = defaultMaxClockSkewMs): void {
  const skew = date.getTime() - now.getTime();
  if (skew > maxSkewMs)
    throw new SetError("messageTooNew", "the message is dated in the future", "MessageHeader.date");
  if (-skew > maxSkewMs) throw new SetError("messageTooOld", "the message is too old", "MessageHeader.date");
}
