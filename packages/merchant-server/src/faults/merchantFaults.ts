/**
 * The merchant's fault switches (docs/faults.md): `GET|PUT|DELETE /admin/faults` and the pause
 * after the AuthRes. Built only when the merchant was started with `SETLAB_ALLOW_FAULTS=1`;
 * otherwise the routes do not exist (404) and the gateway client is not wrapped.
 */
import { schema, toHex } from "@setlab/protocol";
import { type Logger, registerFaultRoutes } from "@setlab/runtime";
import type { FastifyInstance } from "fastify";
import type { GatewayClient } from "../core/gatewayClient";
import { type MerchantFaultPlan, parseMerchantFaultPlan } from "./merchantFaultPlan";
import { PausingGatewayClient } from "./pausingGatewayClient";

function wrapperXid(message: Uint8Array): string | undefined {
  try {
    const xid = schema.decodeMessage(message).messageHeader.messageIDs?.xid;
    return xid ? toHex(xid) : undefined;
  } catch {
    return undefined;
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

  /** The gateway client the core gets: the real one, with the pause after each answer. */
  wrap(client: GatewayClient): GatewayClient {
    return new PausingGatewayClient(
      client,
      () => this.current.pauseAfterAuthResMs ?? 0,
      (fields) =>
        this.logger.warn(
          { event: "fault", fault: "pauseAfterAuthRes", ...fields },
          "fault injected: pauseAfterAuthRes",
        ),
      wrapperXid,
    );
  }

  /** The `/admin/faults` routes. */
  register(app: FastifyInstance): void {
    registerFaultRoutes(app, this, parseMerchantFaultPlan);
  }
}
