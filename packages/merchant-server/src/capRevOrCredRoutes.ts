/**
 * The back office's routes after a capture, on the admin listener (registered by adminPlugin.ts):
 * `POST /orders/:id/refund` (`{amount?, amtExp10?}`, all that is left by default),
 * `POST /orders/:id/reverse-capture` (`{}`) and `POST /orders/:id/reverse-refund`
 * (`{creditId?, amount?, amtExp10?}`, the last credit by default); each body may name the
 * purchase's authorization whose capture it acts on (`authorization`: 1, the default, or a later
 * one of a split shipment) and the settlement batch to book it into (`batchId`, the item's
 * NewBatchID; the gateway's open batch by default). An `Idempotency-Key` header
 * makes a repeated call act once. 200 with the order after the gateway's answer (its state and
 * `authorization.capRevOrCreds` say what was done); 400 input the merchant refuses; 404 no such
 * order; 409 an order whose state does not allow it, a request still waiting for its answer, or
 * an idempotency key used for another request.
 */
import { runIdOf } from "@setlab/runtime";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { takeAuthorizationNumber } from "./core/authorizationPart";
import { isBatchNumber } from "./core/batchNumber";
import { CapRevOrCredInputError, type CapRevOrCredOptions } from "./core/capRevOrCred";
import { CaptureInputError, parseCaptureBody } from "./core/capture";
import type { Merchant } from "./core/merchant";
import { OrderInputError } from "./core/newOrder";
import { OrderStateError } from "./core/orderState";
import { orderId } from "./orderRoute";

type Operation = "refund" | "reverseCapture" | "reverseRefund";

const paths: Readonly<Record<Operation, string>> = {
  refund: "/orders/:id/refund",
  reverseCapture: "/orders/:id/reverse-capture",
  reverseRefund: "/orders/:id/reverse-refund",
};

/** The body: an amount as for a capture (none for a capture reversal), and a credit reversal's creditId. */
function optionsOf(operation: Operation, body: unknown, currency: number): CapRevOrCredOptions {
  let creditId: string | undefined;
  const { authorization, rest: others } = takeAuthorizationNumber(
    body,
    (message) => new CaptureInputError("invalidBody", message),
  );
  body = others;
  let batchId: number | undefined;
  if (body && typeof body === "object" && !Array.isArray(body) && "batchId" in body) {
    const { batchId: named, ...others } = body as Record<string, unknown>;
    if (!isBatchNumber(named))
      throw new CapRevOrCredInputError("invalidBatchId", "batchId must be a batch number (1 to 2147483647)");
    batchId = named;
    body = others;
  }
  let rest = body;
  if (operation === "reverseRefund" && body && typeof body === "object" && !Array.isArray(body)) {
    const { creditId: id, ...others } = body as Record<string, unknown>;
    if (id !== undefined && (typeof id !== "string" || !/^[0-9a-f]{40}$/.test(id)))
      throw new CaptureInputError("invalidBody", "creditId must be a credit's id (40 hex digits)");
    creditId = id as string | undefined;
    rest = others;
  }
  const amount = parseCaptureBody(rest, currency);
  if (operation === "reverseCapture" && amount !== undefined)
    throw new CaptureInputError("invalidBody", "a capture reversal undoes the whole capture: no amount");
  return {
    ...(amount ? { amount } : {}),
    ...(creditId ? { creditId } : {}),
    ...(authorization !== undefined ? { authorization } : {}),
    ...(batchId !== undefined ? { batchId } : {}),
  };
}

export function registerCapRevOrCredRoutes(app: FastifyInstance, merchant: Merchant): void {
  for (const operation of Object.keys(paths) as Operation[])
    app.post(paths[operation], async (req: FastifyRequest, reply: FastifyReply) => {
      const id = orderId(req);
      const order = id === undefined ? undefined : await merchant.order(id);
      if (id === undefined || !order) {
        reply.code(404);
        return { error: "no such order" };
      }
      try {
        const key = req.headers["idempotency-key"];
        const options = {
          ...optionsOf(operation, req.body, order.purchAmt.currency),
          ...(typeof key === "string" ? { idempotencyKey: key } : {}),
        };
        await merchant[operation](id, options, { runId: runIdOf(req) });
        return await merchant.orderView(id);
      } catch (e) {
        if (e instanceof CapRevOrCredInputError) {
          const conflict = e.code === "idempotencyKeyReused" || e.code === "requestPending";
          reply.code(conflict ? 409 : 400);
          return { error: e.message, code: e.code };
        }
        if (e instanceof CaptureInputError || e instanceof OrderInputError) reply.code(400);
        else if (e instanceof OrderStateError) reply.code(409);
        else throw e;
        return { error: e.message };
      }
    });
}
