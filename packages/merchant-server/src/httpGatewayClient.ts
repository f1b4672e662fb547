/**
 * The GatewayClient over HTTP: `POST <gateway>/set` with runtime's postSet, 5 s per attempt, and on
 * a timeout or an unreachable gateway up to two more attempts with the SAME bytes (same AuthRRPID),
 * so that a gateway which did receive the first one recognises the repeat.
 */
import { postSet, TransportError } from "@setlab/runtime";
import { type GatewayCallContext, type GatewayClient, GatewayUnreachableError } from "./core/gatewayClient";

export interface HttpGatewayOptions {
  readonly timeoutMs?: number;
  /** Further attempts after the first, on timeout or unreachable only. */
  readonly retries?: number;
}

export class HttpGatewayClient implements GatewayClient {
  constructor(
    /** The SET endpoint of each gateway id, e.g. `{Visa: "http://127.0.0.1:8402/set"}`. */
    private readonly urls: Readonly<Record<string, string>>,
    private readonly options: HttpGatewayOptions = {},
  ) {}

  async send(gatewayId: string, message: Uint8Array, context: GatewayCallContext): Promise<Uint8Array> {
    const url = this.urls[gatewayId];
    if (!url) throw new GatewayUnreachableError(`no URL configured for gateway ${gatewayId}`);
    const attempts = 1 + (this.options.retries ?? 2);
    let last: Error | undefined;
    for (let i = 0; i < attempts; i++) {
      try {
        return await postSet(url, message, {
          timeoutMs: this.options.timeoutMs ?? 5000,
          ...(context.runId ? { runId: context.runId } : {}),
        });
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        last = e;
        if (e.kind !== "timeout" && e.kind !== "unreachable") break;
      }
    }
    throw new GatewayUnreachableError(last?.message ?? `gateway ${gatewayId} did not answer`);
  }
}
