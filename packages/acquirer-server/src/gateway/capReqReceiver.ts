/**
 * Receive phase of a capture: what the gateway expects of a CapReq sealed to one brand's key, as
 * `receiveCapReq` (protocol) takes it. Pure; every check is then protocol's.
 */
import { type CapReqReceiver, maxCapItems, toHex } from "@setlab/protocol";
import type { ReceiverSettings } from "./authReqReceiver";
import { enrolledFor } from "./enrolledMerchants";
import type { GatewayBrandKeys } from "./gatewayKeys";

/** Authorizations captured in one CapReq at most: the profile's bound (SET allows 256). */
export const defaultMaxCaptureItems = maxCapItems;

/**
 * What the gateway expects of any request that carries CapTokens (CapReq, CapRevReq, CredReq,
 * CredRevReq) sealed to one brand's key, but for the requests it already answered.
 */
export function capTokenRequestReceiver(
  keys: GatewayBrandKeys,
  settings: ReceiverSettings,
  at: Date,
): Omit<CapReqReceiver, "answered"> {
  return {
    brand: keys.brand,
    gatewayKex: keys.decrypter,
    capTokenKeys: { signer: keys.signer, decrypter: keys.decrypter },
    trust: { ...settings.trust, at },
    now: at,
    maxClockSkewMs: settings.policy.maxClockSkewMs,
    enrolledMerIDs: enrolledFor(settings.enrolled, keys.brand),
    maxItems: defaultMaxCaptureItems,
  };
}

export function capReqReceiver(
  keys: GatewayBrandKeys,
  settings: ReceiverSettings,
  answeredFingerprint: (capRRPID: string) => string | undefined,
  at: Date,
): CapReqReceiver {
  return {
    ...capTokenRequestReceiver(keys, settings, at),
    answered: { fingerprintOf: (rrpid) => answeredFingerprint(toHex(rrpid)) },
  };
}
