/**
 * Digest 6 rule 3, the replay cache: a request whose RRPID the receiver already took is either the
 * same request again (a retry: it gets the stored answer, whatever its date) or a conflicting
 * reuse of the RRPID (unknownRRPID). The receiver owns the record (its store); the receive
 * functions ask it and apply the rule.
 */
import { SetError } from "../errors";

export interface AnsweredRequests {
  /**
   * The fingerprint of the request already taken under `rrpid` (hex), `"other"` when the RRPID
   * was taken in another context (another order), undefined when it is new.
   */
  fingerprintOf(rrpid: Uint8Array): Promise<string | undefined> | string | undefined;
}

/** True for a repeat of a request already taken; unknownRRPID for a conflicting reuse. */
export async function isRepeat(
  answered: AnsweredRequests | undefined,
  rrpid: Uint8Array,
  fingerprint: string,
  where: string,
): Promise<boolean> {
  const known = await answered?.fingerprintOf(rrpid);
  if (known === undefined) return false;
  if (known !== fingerprint)
    throw new SetError("unknownRRPID", "this RRPID was already used by another request", where);
  return true;
}
