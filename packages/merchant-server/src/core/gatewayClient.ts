/**
 * How the core reaches a payment gateway: one AuthReq out, its answer (AuthRes or a SET Error)
 * back. The core has no sockets; the shell implements this over HTTP (`HttpGatewayClient`), with
 * its timeouts and retries of the same bytes.
 */
export interface GatewayCallContext {
  /** The lab's run id, passed along for log correlation. */
  readonly runId?: string;
}

export interface GatewayClient {
  /**
   * Send one MessageWrapper to the gateway `gatewayId` and resolve with its answer bytes. Throws
   * `GatewayUnreachableError` when no SET answer came (unreachable, timed out, HTTP failure).
   */
  send(gatewayId: string, message: Uint8Array, context: GatewayCallContext): Promise<Uint8Array>;
}

export class GatewayUnreachableError extends Error {
  override readonly name = "GatewayUnreachableError";
}
