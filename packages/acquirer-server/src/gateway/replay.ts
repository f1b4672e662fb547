/**
 * The same AuthRRPID again: the same request (by fingerprint) gets the stored answer whatever its
 * age, since a merchant that was down re-sends the same bytes after a restart and nothing new is
 * decided; other content under that AuthRRPID is a reuse, refused.
 */
import { SetError } from "@setlab/protocol";
import type { AuthorizationRow } from "../store/gatewayStore";
import type { AuthReqOutcome } from "./authReqOutcome";

export function replayOf(
  seen: AuthorizationRow | undefined,
  requestHash: string,
): Omit<AuthReqOutcome, "xid" | "authRRPID"> {
  if (!seen) throw new SetError("unknownRRPID", "the AuthRRPID's record is gone", "AuthRRTags.rrpid");
  if (seen.requestHash !== requestHash)
    throw new SetError(
      "unknownRRPID",
      "this AuthRRPID already answered a different AuthReq",
      "AuthRRTags.rrpid",
    );
  return { response: seen.response, kind: "replay", authCode: seen.authCode, reason: "repeated AuthReq" };
}
