/**
 * Receive phase of an authorization reversal: what the gateway expects of an AuthRevReq sealed to
 * one brand's key, as `receiveAuthRevReq` (protocol) takes it. Pure; every check is then
 * protocol's. The authorization on record is what the request is judged against: the fingerprint
 * of the AuthReq that made it, and what it holds now, which is what it stands authorized at.
 */
import { type AuthRevReqReceiver, type RecordedAuthorization, toHex } from "@setlab/protocol";
import type { AuthorizationRow } from "../store/gatewayStore";
import type { ReceiverSettings } from "./authReqReceiver";
import { enrolledFor } from "./enrolledMerchants";
import type { GatewayBrandKeys } from "./gatewayKeys";

export function recordedAuthorization(row: AuthorizationRow | undefined): RecordedAuthorization | undefined {
  if (!row) return undefined;
  return { requestHash: row.requestHash, authorized: BigInt(row.held), currency: row.currency };
}

export function authRevReqReceiver(
  keys: GatewayBrandKeys,
  settings: ReceiverSettings,
  store: {
    readonly authorization: (authRRPID: string) => AuthorizationRow | undefined;
    readonly answeredFingerprint: (authRevRRPID: string) => string | undefined;
  },
  at: Date,
): AuthRevReqReceiver {
  return {
    brand: keys.brand,
    gatewayKex: keys.decrypter,
    capTokenKeys: { signer: keys.signer, decrypter: keys.decrypter },
    trust: { ...settings.trust, at },
    now: at,
    maxClockSkewMs: settings.policy.maxClockSkewMs,
    enrolledMerIDs: enrolledFor(settings.enrolled, keys.brand),
    answered: { fingerprintOf: (rrpid) => store.answeredFingerprint(toHex(rrpid)) },
    authorizationOf: (authRRPID) => recordedAuthorization(store.authorization(toHex(authRRPID))),
  };
}
