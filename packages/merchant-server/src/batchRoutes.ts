/**
 * The back office's capture of many orders and its settlement batches (docs/lifecycle.md), on the
 * admin listener: `POST /captures` (one CapReq for many orders), `POST /batches/close`,
 * `GET /batches/open` and `GET /batches/:id` (status and totals per brand and currency). An
 * `Idempotency-Key` header makes a repeated POST send the same request again.
 */
import { runIdOf } from "@setlab/runtime";
import type { FastifyInstance } from "fastify";
import { takeAuthorizationNumber } from "./core/authorizationPart";
import { BatchAdminError, BatchAdminInputError } from "./core/batchAdmin";
import { CaptureInputError, parseCaptureBody } from "./core/capture";
import type { CaptureManyItem } from "./core/captureMany";
import type { Merchant } from "./core/merchant";
import { OrderInputError } from "./core/newOrder";
import { OrderStateError } from "./core/orderState";

const keyOf = (headers: Record<string, unknown>) => {
  const key = headers["idempotency-key"];
  return typeof key === "string" ? { idempotencyKey: key } : {};
};

/**
 * `{orders: [id | {orderId, amount?, amtExp10?, authorization?}], batchId?}`, each amount in its
 * order's currency, `authorization` the purchase's authorization to capture (default the first).
 */
async function parseCapturesBody(merchant: Merchant, body: unknown) {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new CaptureInputError("invalidBody", "the body must be a JSON object");
  const { orders, batchId, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0)
    throw new CaptureInputError("invalidBody", `unknown field ${Object.keys(rest)[0]}`);
  if (!Array.isArray(orders)) throw new CaptureInputError("invalidBody", "orders must be a list");
  if (batchId !== undefined && typeof batchId !== "number")
    throw new CaptureInputError("invalidBatchId", "batchId must be a number");
  const items: CaptureManyItem[] = [];
  for (const o of orders) {
    if (typeof o === "number") {
      items.push({ orderId: o });
      continue;
    }
    if (typeof o !== "object" || o === null)
      throw new CaptureInputError("invalidBody", "an order is an id or {orderId, amount?}");
    const { orderId, ...rest } = o as Record<string, unknown>;
    if (typeof orderId !== "number") throw new CaptureInputError("invalidBody", "orderId must be a number");
    const order = await merchant.order(orderId);
    if (!order) throw new CaptureInputError("noSuchOrder", `no order ${orderId}`);
    const { authorization, rest: amount } = takeAuthorizationNumber(
      rest,
      (message) => new CaptureInputError("invalidBody", message),
    );
    const parsed = parseCaptureBody(amount, order.purchAmt.currency);
    items.push({
      orderId,
      ...(parsed ? { amount: parsed } : {}),
      ...(authorization !== undefined ? { authorization } : {}),
    });
  }
  return { items, ...(batchId !== undefined ? { batchId } : {}) };
}

export function registerBatchRoutes(app: FastifyInstance, merchant: Merchant): void {
  // 200 with each order after the gateway's answer; 400 what the merchant refuses before asking,
  // 409 an order not authorized or an idempotency key used for another capture.
  app.post("/captures", async (req, reply) => {
    try {
      const { items, ...options } = await parseCapturesBody(merchant, req.body);
      const r = await merchant.captureMany(
        items,
        { ...options, ...keyOf(req.headers) },
        { runId: runIdOf(req) },
      );
      return {
        capRRPID: r.capRRPID,
        ...(r.failure ? { failure: r.failure } : {}),
        orders: r.orders.map((o) => ({
          id: o.id,
          state: o.state,
          capture: o.authorization?.capture ?? null,
        })),
      };
    } catch (e) {
      if (e instanceof OrderInputError) reply.code(e.code === "idempotencyKeyReused" ? 409 : 400);
      else if (e instanceof CaptureInputError) reply.code(400);
      else if (e instanceof OrderStateError) reply.code(409);
      else throw e;
      return { error: e.message };
    }
  });

  const answer = async (reply: { code(n: number): unknown }, run: () => Promise<unknown>) => {
    try {
      return await run();
    } catch (e) {
      if (e instanceof OrderInputError) reply.code(e.code === "idempotencyKeyReused" ? 409 : 400);
      else if (e instanceof BatchAdminInputError) reply.code(400);
      else if (e instanceof BatchAdminError) reply.code(502);
      else throw e;
      return { error: (e as Error).message };
    }
  };

  // The gateway's answer, whatever its code (unknownBatch: nothing open); 502 when none usable came.
  app.post("/batches/close", async (req, reply) =>
    answer(reply, () => {
      const body = (req.body ?? {}) as { batchId?: unknown };
      if (body.batchId !== undefined && typeof body.batchId !== "number")
        throw new BatchAdminInputError("invalidBatchId", "batchId must be a number");
      return merchant.closeBatch(
        { ...(body.batchId !== undefined ? { batchId: body.batchId } : {}), ...keyOf(req.headers) },
        { runId: runIdOf(req) },
      );
    }),
  );

  app.get("/batches/open", async (req, reply) =>
    answer(reply, () => merchant.batchStatus({}, { runId: runIdOf(req) })),
  );

  app.get<{ Params: { id: string } }>("/batches/:id", async (req, reply) =>
    answer(reply, () => {
      if (!/^[1-9][0-9]{0,9}$/.test(req.params.id))
        throw new BatchAdminInputError("invalidBatchId", "a batch id is an integer from 1");
      return merchant.batchStatus({ batchId: Number(req.params.id) }, { runId: runIdOf(req) });
    }),
  );
}
