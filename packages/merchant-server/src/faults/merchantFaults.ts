/**
 * The merchant's fault switches (docs/faults.md): the plan that `GET|PUT|DELETE /admin/faults` on
 * the admin listener (../adminPlugin.ts) shows and sets, and the pauses before a request leaves and
 * after the gateway's answer. Built only when the merchant was started with `SETLAB_ALLOW_FAULTS=1`;
 * otherwise the routes do not exist (404) and the gateway client is not wrapped.
 */
import { schema, toHex } from "@setlab/protocol";
import type { Logger } from "@setlab/runtime";
import type { GatewayClient } from "../core/gatewayClient";
import type { MerchantFaultPlan } from "./merchantFaultPlan";
import { PausingGatewayClient } from "./pausingGatewayClient";

/** The request's XID and message type for the log; nothing when it does not decode. */
function requestFields(message: Uint8Array): { xid?: string; request?: string } {
  try {
    const wrapper = schema.decodeMessage(message);
    const xid = wrapper.messageHeader.messageIDs?.xid;
    return { request: wrapper.message.type, ...(xid ? { xid: toHex(xid) } : {}) };
  } catch {
    return {};
  }
}

export class MerchantFaults {
  private current: MerchantFaultPlan = {};

  constructor(private readonly logger: Logger) {}

  get plan(): MerchantFaultPlan {
    return this.current;
  }

  setPlan(plan: MerchantFaultPlan): void {
    this.current = plan;
    this.logger.warn({ event: "faultPlan", plan }, "fault plan set");
  }

  clear(): void {
    this.current = {};
    this.logger.warn({ event: "faultPlan", plan: {} }, "fault plan cleared");
  }

  /** The gateway client the core gets: the real one, with the pauses before and after each request. */
  wrap(client: GatewayClient): GatewayClient {
    const log = (fault: string) => (fields: object) =>
      this.logger.warn({ event: "fault", fault, ...fields }, `fault injected: ${fault}`);
    return new PausingGatewayClient(
      client,
      {
        before: () => this.current.pauseBeforeSendMs ?? 0,
        after: () => this.current.pauseAfterAuthResMs ?? 0,
      },
      { beforeSend: log("pauseBeforeSend"), afterAnswer: log("pauseAfterAuthRes") },
      requestFields,
    );
  }
}
