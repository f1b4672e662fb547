/**
 * The merchant's fault switch on the way back from the gateway: a GatewayClient around the real
 * one that, once the gateway's answer bytes have arrived, waits `pauseAfterAuthResMs` before
 * handing them to the core, which records them and answers the PReq. A process killed in this
 * window has sent an AuthReq the gateway committed, and recorded no answer.
 */
import type { GatewayCallContext, GatewayClient } from "../core/gatewayClient";

export type PauseLog = (fields: { pauseMs: number; gatewayId: string; runId?: string; xid?: string }) => void;

export class PausingGatewayClient implements GatewayClient {
  constructor(
    private readonly inner: GatewayClient,
    private readonly pauseMs: () => number,
    private readonly log: PauseLog,
    private readonly xidOf: (message: Uint8Array) => string | undefined = () => undefined,
  ) {}

  async send(gatewayId: string, message: Uint8Array, context: GatewayCallContext): Promise<Uint8Array> {
    const answer = await this.inner.send(gatewayId, message, context);
    const ms = this.pauseMs();
    if (ms > 0) {
      this.log({
        pauseMs: ms,
        gatewayId,
        ...(context.runId ? { runId: context.runId } : {}),
        ...(() => {
          const xid = this.xidOf(message);
          return xid ? { xid } : {};
        })(),
      });
      await new Promise((r) => setTimeout(r, ms));
    }
    return answer;
  }
}
