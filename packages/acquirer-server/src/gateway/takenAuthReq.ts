/** An AuthReq `receiveAuthReq` accepted as new, with the keys of its brand and the time it was taken. */
import type { ReceivedAuthReq } from "@setlab/protocol";
import type { GatewayBrandKeys } from "./gatewayKeys";

export type TakenAuthReq = Extract<ReceivedAuthReq, { repeat: false }> & {
  readonly keys: GatewayBrandKeys;
  readonly at: Date;
  /** The time of AuthToken schedules: `at`, unless a lab moved that clock ahead. */
  readonly scheduleAt: Date;
};
