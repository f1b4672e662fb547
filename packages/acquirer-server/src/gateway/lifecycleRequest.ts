/**
 * What the gateway's handlers of the requests that follow an authorization (AuthRevReq, CapReq,
 * CapRevReq/CredReq/CredRevReq, BatchAdminReq) share: what they run on, the part of their outcome
 * the shell's log reads, and the outcome of a request that failed.
 */
import type { CryptoProvider } from "@setlab/protocol";
import type { GatewayStore } from "../store/gatewayStore";
import type { ReceiverSettings } from "./authReqReceiver";
import { errorAnswer } from "./errorAnswer";
import type { GatewayBrandKeys } from "./gatewayKeys";
import type { SerialQueue } from "./serialQueue";

export interface LifecycleDeps {
  readonly p: CryptoProvider;
  readonly keys: readonly GatewayBrandKeys[];
  readonly store: GatewayStore;
  readonly settings: ReceiverSettings;
  readonly queue: SerialQueue;
}

/** What happened to one request, for the shell's log. Never carries a PAN. */
export interface LifecycleOutcome {
  readonly response: Uint8Array;
  readonly brand?: string;
  readonly merchantID?: string;
  readonly errorCode?: string;
  readonly reason?: string;
  readonly internal?: boolean;
}

/**
 * A failed request's outcome: the ids read so far and the SET Error answer (signed once `keys`,
 * named by the envelope, are known).
 */
export async function lifecycleErrorOutcome<I extends object>(
  p: CryptoProvider,
  e: unknown,
  request: Uint8Array,
  keys: GatewayBrandKeys | undefined,
  ids: I,
): Promise<I & LifecycleOutcome & { readonly kind: "error" }> {
  const out = await errorAnswer(p, e, request, keys, {});
  return {
    ...ids,
    response: out.response,
    kind: "error",
    ...(out.errorCode ? { errorCode: out.errorCode } : {}),
    ...(out.reason ? { reason: out.reason } : {}),
    ...(out.internal ? { internal: true } : {}),
  };
}
