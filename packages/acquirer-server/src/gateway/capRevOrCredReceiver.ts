/**
 * Receive phase of a capture reversal, credit or credit reversal: what the gateway expects of the
 * request sealed to one brand's key, as protocol's receive functions take it. Pure; every check is
 * then protocol's.
 */
import { type CapRevOrCredKind, type CapRevOrCredReqReceiver, toHex } from "@setlab/protocol";
import type { CapRevOrCredRequestRow } from "../store/creditLedger";
import type { ReceiverSettings } from "./authReqReceiver";
import { capTokenRequestReceiver } from "./capReqReceiver";
import type { GatewayBrandKeys } from "./gatewayKeys";

export function capRevOrCredReceiver(
  kind: CapRevOrCredKind,
  keys: GatewayBrandKeys,
  settings: ReceiverSettings,
  answered: (rrpid: string) => CapRevOrCredRequestRow | undefined,
  at: Date,
): CapRevOrCredReqReceiver {
  return {
    ...capTokenRequestReceiver(keys, settings, at),
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
