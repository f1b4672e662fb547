/**
 * The GatewayClient over HTTP: `POST <gateway>/set` with runtime's postSet (an embodiment message:
 * `POST <gateway>/set/embodiment`, `application/set-payment-embodiment`). Retry policy: up to
 * three attempts (the first and `retries` more), each with a 5 s timeout, every one with the SAME
 * bytes (same AuthRRPID), so a gateway that did take an earlier one answers with its stored AuthRes.
 *
 * Retried: a timeout, an unreachable gateway (refused, reset, dropped), an HTTP 5xx, an answer that
 * is not a SET message, and an answer the core's `accept` check rejects (damaged on the wire).
 * Not retried: other HTTP statuses (the request itself is wrong). When no attempt got an answer,
 * `GatewayUnreachableError.inDoubt` tells whether one may still have reached the gateway (anything
 * but a refused connection), so that the core keeps the order open instead of calling it failed. Attempts are spaced: attempt n
 * starts no sooner than n x `spacingMs` after the first, so a gateway that is restarting gets the
 * time to come back instead of three refusals within a millisecond.
 */
import { postSet, SET_PAYMENT_EMBODIMENT, TransportError } from "@setlab/runtime";
import { checkEndpointUrl, MerchantConfigurationError } from "./core/endpointUrl";
import { type GatewayCallContext, type GatewayClient, GatewayUnreachableError } from "./core/gatewayClient";

export interface HttpGatewayOptions {
  /** Per attempt (default 5000). */
  readonly timeoutMs?: number;
  /** Further attempts after the first (default 2). */
  readonly retries?: number;
  /** Minimum time between the starts of two attempts (default: `timeoutMs`). */
  readonly spacingMs?: number;
}

const retriable = (e: TransportError): boolean =>
  e.kind === "timeout" ||
  e.kind === "unreachable" ||
  e.kind === "contentType" ||
  (e.kind === "httpStatus" && (e.status ?? 0) >= 500);

export class HttpGatewayClient implements GatewayClient {
  constructor(
    /** The SET endpoint of each gateway id, e.g. `{Visa: "http://127.0.0.1:8402/set"}`. */
    private readonly urls: Readonly<Record<string, string>>,
    private readonly options: HttpGatewayOptions = {},
  ) {
    // A URL no request can use fails here, at start-up (MerchantConfigurationError).
    for (const [id, url] of Object.entries(urls)) checkEndpointUrl(url, `gateway ${id}`);
  }

  /** Throws MerchantConfigurationError for a gateway id without a URL. */
  checkGateways(ids: readonly string[]): void {
    const missing = ids.filter((id) => !this.urls[id]);
    if (missing.length > 0) throw new MerchantConfigurationError(`no gateway URL for ${missing.join(", ")}`);
  }

  async send(gatewayId: string, message: Uint8Array, context: GatewayCallContext): Promise<Uint8Array> {
    const setUrl = this.urls[gatewayId];
    if (!setUrl) throw new GatewayUnreachableError(`no URL configured for gateway ${gatewayId}`);
    // The embodiment endpoint sits beside the SET one: <gateway>/set/embodiment.
    const url = context.embodiment ? `${setUrl.replace(/\/+$/, "")}/embodiment` : setUrl;
    const timeoutMs = this.options.timeoutMs ?? 5000;
    const spacingMs = this.options.spacingMs ?? timeoutMs;
    const attempts = 1 + (this.options.retries ?? 2);
    const start = Date.now();
    let last: Error | undefined;
    let rejected: Uint8Array | undefined;
    // Did any attempt possibly reach the gateway? Only a refused connection says it did not.
    let inDoubt = false;
    for (let i = 0; i < attempts; i++) {
      const wait = start + i * spacingMs - Date.now();
      if (i > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
      let answer: Uint8Array;
      try {
        answer = await postSet(url, message, {
          timeoutMs,
          ...(context.runId ? { runId: context.runId } : {}),
          ...(context.embodiment ? { contentType: SET_PAYMENT_EMBODIMENT } : {}),
        });
      } catch (e) {
        // A body that breaks off mid-read is as good as no answer.
        const failure =
          e instanceof TransportError ? e : new TransportError("unreachable", (e as Error).message);
        last = failure;
        if (!(failure.kind === "unreachable" && failure.refused)) inDoubt = true;
        if (!retriable(failure)) break;
        continue;
      }
      if (!context.accept || (await context.accept(answer))) return answer;
      rejected = answer;
      last = new Error("the answer was damaged on the wire");
    }
    // The budget is spent: the core records the damaged answer it got as a failed authorization.
    if (rejected) return rejected;
    throw new GatewayUnreachableError(last?.message ?? `gateway ${gatewayId} did not answer`, inDoubt);
  }
}
