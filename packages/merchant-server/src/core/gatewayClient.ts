/**
 * How the core reaches a payment gateway: one AuthReq out, its answer (AuthRes or a SET Error)
 * back. The core has no sockets; the shell implements this over HTTP (`HttpGatewayClient`), with
 * its timeouts and retries of the same bytes.
 */
export interface GatewayCallContext {
  /** The lab's run id, passed along for log correlation. */
  readonly runId?: string;
  /**
   * The core's check of an answer. `false` means the answer was damaged on the wire (it does not
   * decode, or is not an authentic AuthRes for this AuthReq): the client sends the same bytes again
   * within its attempt budget (the gateway answers a repeat with its stored AuthRes) and, when the
   * budget is spent, resolves with the last answer it got.
   */
  readonly accept?: (answer: Uint8Array) => Promise<boolean>;
  /**
   * The message is an embodiment message (SetLabEmbodiments.asn), not SET: it goes to the
   * gateway's embodiment endpoint with its own media type.
   */
  readonly embodiment?: boolean;
}

export interface GatewayClient {
  /**
   * Send one MessageWrapper to the gateway `gatewayId` and resolve with its answer bytes. Throws
   * `GatewayUnreachableError` when no SET answer came (unreachable, timed out, HTTP failure).
   * Every attempt sends the same bytes (same AuthRRPID).
   */
  send(gatewayId: string, message: Uint8Array, context: GatewayCallContext): Promise<Uint8Array>;
  /** Throws (MerchantConfigurationError) unless every one of these gateway ids can be reached. */
  checkGateways?(ids: readonly string[]): void;
}

export class GatewayUnreachableError extends Error {
  override readonly name = "GatewayUnreachableError";
  constructor(
    message: string,
    /** An attempt may have reached the gateway (timeout, reset, 5xx): it may have decided. */
    readonly inDoubt = false,
  ) {
    super(message);
  }
}
