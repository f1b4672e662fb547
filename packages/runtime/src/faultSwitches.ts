/**
 * The shell of a party's fault switches (docs/faults.md): whether they exist at all, and the
 * `/admin/faults` routes that show, replace and clear the plan. Each party owns its plan's type
 * and validation; this file owns only what every party shares.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Fault switches are honoured only when the process was started with SETLAB_ALLOW_FAULTS=1. */
export const faultsAllowed = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.SETLAB_ALLOW_FAULTS === "1";

/** A fault plan that does not validate: the message says which field and why. */
export class FaultPlanError extends Error {
  override readonly name = "FaultPlanError";
}

export interface FaultPlanHolder<P> {
  readonly plan: P;
  setPlan(plan: P): void;
  clear(): void;
}

/** A body fastify cannot parse (not JSON, another media type): the status it chose, and why. */
function planBodyError(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
  reply.code(status).send({ error: `invalid fault plan: ${error.message}` });
}

/**
 * `GET /admin/faults` shows the plan, `PUT` replaces it with `parse(body)` (400 with the reason
 * when it does not validate; the old plan stays), `DELETE` clears it.
 */
export function registerFaultRoutes<P>(
  app: FastifyInstance,
  holder: FaultPlanHolder<P>,
  parse: (json: unknown) => P,
): void {
  app.get("/admin/faults", async () => holder.plan);
  app.put("/admin/faults", { errorHandler: planBodyError }, async (req, reply) => {
    try {
      holder.setPlan(parse(req.body));
      return holder.plan;
    } catch (e) {
      if (!(e instanceof FaultPlanError)) throw e;
      reply.code(400);
      return { error: `invalid fault plan: ${e.message}` };
    }
  });
  app.delete("/admin/faults", async () => {
    holder.clear();
    return holder.plan;
  });
}
