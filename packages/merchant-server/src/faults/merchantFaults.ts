/**
 * The merchant's fault switches (docs/faults.md): `GET|PUT|DELETE /admin/faults` and the pause
 * after the AuthRes. Built only when the merchant was started with `SETLAB_ALLOW_FAULTS=1`;
 * otherwise the routes do not exist (404) and the gateway client is not wrapped.
 */
import { schema } from "@setlab/protocol";
import type { Logger } from "@setlab/runtime";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { GatewayClient } from "../core/gatewayClient";
import { FaultPlanError, type MerchantFaultPlan, parseMerchantFaultPlan } from "./merchantFaultPlan";
import { PausingGatewayClient } from "./pausingGatewayClient";

function wrapperXid(message: Uint8Array): string | undefined {
  try {
    const xid = schema.decodeMessage(message).messageHeader.messageIDs?.xid;
    return xid ? Buffer.from(xid).toString("hex") : undefined;
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

  register(app: FastifyInstance): void {
    app.get("/admin/faults", async () => this.current);
    app.put("/admin/faults", { errorHandler: planBodyError }, async (req, reply) => {
      try {
        this.setPlan(parseMerchantFaultPlan(req.body));
        return this.current;
      } catch (e) {
        if (!(e instanceof FaultPlanError)) throw e;
        reply.code(400);
        return { error: `invalid fault plan: ${e.message}` };
      }
    });
    app.delete("/admin/faults", async () => {
      this.clear();
      return this.current;
    });
  }
}

/** A body fastify cannot parse (not JSON, another media type): the status it chose, and why. */
export function planBodyError(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
  reply.code(status).send({ error: `invalid fault plan: ${error.message}` });
}

/** Fault switches are honoured only when the process was started with SETLAB_ALLOW_FAULTS=1. */
export const faultsAllowed = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.SETLAB_ALLOW_FAULTS === "1";
