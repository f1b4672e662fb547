/**
 * The merchant's fault switches on the way to and back from the gateway: a GatewayClient around
 * the real one that waits `before` ms before a request leaves (the core has committed it: a process
 * killed here has a request on record that the gateway never saw) and `after` ms once the gateway's
 * answer bytes have arrived, before handing them to the core, which records them (a process killed
 * here has sent a request the gateway committed, and recorded no answer).
 */
import type { GatewayCallContext, GatewayClient } from "../core/gatewayClient";

export interface PauseFields {
  readonly pauseMs: number;
  readonly gatewayId: string;
  readonly runId?: string;
  readonly xid?: string;
  /** The request's message type (creditRequest, batchAdministrationRequest, ...). */
  readonly request?: string;
}

export type PauseLog = (fields: PauseFields) => void;

export interface Pauses {
  readonly before: () => number;
  readonly after: () => number;
}

/** What the log says of a request: its XID and message type, when it decodes. */
export type RequestFields = (message: Uint8Array) => { xid?: string; request?: string };

export class PausingGatewayClient implements GatewayClient {
  constructor(
    private readonly inner: GatewayClient,
    private readonly pauses: Pauses,
    private readonly log: { beforeSend: PauseLog; afterAnswer: PauseLog },
    private readonly fieldsOf: RequestFields = () => ({}),
  ) {}

  async send(gatewayId: string, message: Uint8Array, context: GatewayCallContext): Promise<Uint8Array> {
    await this.pause(this.pauses.before(), this.log.beforeSend, gatewayId, message, context);
    const answer = await this.inner.send(gatewayId, message, context);
    await this.pause(this.pauses.after(), this.log.afterAnswer, gatewayId, message, context);
    return answer;
  }

  private async pause(
    ms: number,
    log: PauseLog,
    gatewayId: string,
    message: Uint8Array,
    context: GatewayCallContext,
  ): Promise<void> {
    if (ms <= 0) return;
    log({
      pauseMs: ms,
      gatewayId,
      ...(context.runId ? { runId: context.runId } : {}),
      ...this.fieldsOf(message),
    });
    await new Promise((r) => setTimeout(r, ms));
  }
}
