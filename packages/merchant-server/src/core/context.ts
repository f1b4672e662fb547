/** What every handler of the merchant core works with: crypto, storage, configuration, the gateway link. */
import { type CryptoProvider, fingerprintOf } from "@setlab/protocol";
import type { MerchantRepository } from "../store/repository";
import type { GatewayCallContext, GatewayClient } from "./gatewayClient";
import type { MerchantConfig } from "./merchantConfig";
import type { OrderState } from "./orderState";

export interface MerchantContext {
  readonly p: CryptoProvider;
  readonly repo: MerchantRepository;
  readonly config: MerchantConfig;
  readonly gateway: GatewayClient;
}

export type CallContext = GatewayCallContext;

/** What the core did with one SET request, for the shell's logs (never a PAN or a key). */
export interface SetOutcome {
  /** The answer: a response message, a SET Error, or empty when the request was itself an Error. */
  readonly response: Uint8Array;
  /** The Message CHOICE alternative received, when it decoded. */
  readonly requestType?: string;
  readonly orderId?: number;
  readonly xid?: string;
  readonly state?: OrderState;
  /** Set when the answer is a SET Error. */
  readonly error?: { readonly code: string; readonly message: string };
  /** True when the answer is the stored answer of an earlier identical request. */
  readonly replayed?: boolean;
}

/**
 * SHA-256 of a request's bytes, the fingerprint idempotency compares (hex): the receive functions'
 * own, remembered per byte array, so a request is hashed once.
 */
export const requestHash = (bytes: Uint8Array): string => fingerprintOf(bytes);
