/**
 * Receive phase: what the gateway expects of an AuthReq sealed to one brand's key, as
 * `receiveAuthReq` (protocol) takes it. Pure: the brand's policy, the enrolled merchants and the
 * answered AuthRRPIDs come in; every check is then protocol's.
 */
import type { AuthReqReceiver, SetCertificate, Trust } from "@setlab/protocol";
import { toHex } from "@setlab/protocol";
import type { AuthorizationPolicy } from "./authorizationPolicy";
import { type EnrolledMerchants, enrolledFor } from "./enrolledMerchants";
import type { GatewayBrandKeys } from "./gatewayKeys";

export interface ReceiverSettings {
  /** Pinned root and CA certificates; the time of checking is the request's. */
  readonly trust: Omit<Trust, "at">;
  readonly enrolled: EnrolledMerchants;
  readonly policy: AuthorizationPolicy;
  /** The request fingerprint stored for an AuthRRPID (hex) already answered. */
  readonly answeredFingerprint: (authRRPID: string) => string | undefined;
  /** Whether an approved authorization spent the AuthToken the authorization `authRRPID` (hex) issued. */
  readonly authTokenSpent?: (authRRPID: string) => boolean;
}

/**
 * The brand requires a cardholder certificate when its gateway key-exchange certificate says so
 * (cardCertRequired, the brand's policy the CA writes); configuration can only tighten that.
 */
export function cardCertRequired(
  brand: string,
  gatewayKex: SetCertificate | undefined,
  policy: AuthorizationPolicy,
): boolean {
  if (gatewayKex?.cardCertRequired) return true;
  return !policy.unsignedAllowed.includes(brand);
}

export function authReqReceiver(
  keys: GatewayBrandKeys,
  gatewayKex: SetCertificate | undefined,
  settings: ReceiverSettings,
  at: Date,
  /** The time AuthToken schedules are judged at (default `at`). */
  scheduleAt: Date = at,
): AuthReqReceiver {
  const { policy } = settings;
  return {
    brand: keys.brand,
    gatewayKex: keys.decrypter,
    trust: { ...settings.trust, at },
    now: at,
    scheduleNow: scheduleAt,
    maxClockSkewMs: policy.maxClockSkewMs,
    enrolledMerIDs: enrolledFor(settings.enrolled, keys.brand),
    cardCertRequired: cardCertRequired(keys.brand, gatewayKex, policy),
    hardenedRequired: policy.hardenedRequired.includes(keys.brand),
    understoodExtensions: policy.understoodExtensions,
    answered: { fingerprintOf: (rrpid) => settings.answeredFingerprint(toHex(rrpid)) },
    // The gateway's AuthTokens are sealed with the brand's keys, as its CapTokens.
    authTokenKeys: { signer: keys.signer, decrypter: keys.decrypter },
    ...(settings.authTokenSpent ? { authTokenSpent: settings.authTokenSpent } : {}),
  };
}
