/**
 * Receive phase of a capture reversal, credit or credit reversal: what the gateway expects of the
 * request sealed to one brand's key, as protocol's receive functions take it. Pure; every check is
 * then protocol's.
 */
import { type CapRevOrCredKind, type CapRevOrCredReqReceiver, toHex } from "@setlab/protocol";
import type { CapRevOrCredRequestRow } from "../store/creditLedger";
import type { ReceiverSettings } from "./authReqReceiver";
import { defaultMaxCaptureItems } from "./capReqReceiver";
import { enrolledFor } from "./enrolledMerchants";
import type { GatewayBrandKeys } from "./gatewayKeys";

export function capRevOrCredReceiver(
  kind: CapRevOrCredKind,
  keys: GatewayBrandKeys,
  settings: ReceiverSettings,
  answered: (rrpid: string) => CapRevOrCredRequestRow | undefined,
  at: Date,
): CapRevOrCredReqReceiver {
  return {
    brand: keys.brand,
    gatewayKex: keys.decrypter,
    capTokenKeys: { signer: keys.signer, decrypter: keys.decrypter },
    trust: { ...settings.trust, at },
    now: at,
    maxClockSkewMs: settings.policy.maxClockSkewMs,
    enrolledMerIDs: enrolledFor(settings.enrolled, keys.brand),
    maxItems: defaultMaxCaptureItems,
    answered: {
      // An RRPID a request of another kind took is a conflicting reuse, whatever its content.
      fingerprintOf: (rrpid) => {
        const row = answered(toHex(rrpid));
        if (!row) return undefined;
        return row.kind === kind ? row.requestHash : "other";
      },
    },
  };
}
