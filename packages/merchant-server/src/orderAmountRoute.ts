/**
 * A back-office POST on one order that takes an optional amount (`{}`, or `{amount, amtExp10?}` in
 * the order's currency; for a capture also `authorization`, the purchase's authorization to act
 * on) and an `Idempotency-Key` header, as capture and authorization reversal do:
 * 404 no such order; 200 with the order after the gateway's answer; 400 an input the route
 * refuses (its own error class), 409 an order in a state that does not allow it.
 */
import type { schema } from "@setlab/protocol";
import { runIdOf } from "@setlab/runtime";
import type { FastifyInstance } from "fastify";
import { takeAuthorizationNumber } from "./core/authorizationPart";
import type { Merchant } from "./core/merchant";
import { OrderStateError } from "./core/orderState";
import { orderId } from "./orderRoute";

export interface OrderAmountAction {
  /** The body read in the order's currency; throws an `InputError`. */
  parse(body: unknown, currency: number): schema.CurrencyAmount | undefined;
  act(
    id: number,
    options: { amount?: schema.CurrencyAmount; idempotencyKey?: string; authorization?: number },
    call: { runId?: string },
  ): Promise<unknown>;
  /**
   * Given, the body may name the purchase's authorization to act on (`authorization`: 1, 2, ...);
   * a bad one is refused with this error.
   */
  refuseAuthorization?(message: string): Error;
  /** The merchant's refusal of the input: answered 400. */
  readonly InputError: abstract new (
    ...args: never[]
  ) => Error;
}

export function orderAmountRoute(
  app: FastifyInstance,
  merchant: Merchant,
  path: `/orders/:id/${string}`,
  action: OrderAmountAction,
): void {
  app.post(path, async (req, reply) => {
    const id = orderId(req);
    const order = id === undefined ? undefined : await merchant.order(id);
    if (id === undefined || !order) {
      reply.code(404);
      return { error: "no such order" };
    }
    try {
      const { authorization, rest } = action.refuseAuthorization
        ? takeAuthorizationNumber(req.body, action.refuseAuthorization)
        : { authorization: undefined, rest: req.body };
      const amount = action.parse(rest, order.purchAmt.currency);
      const key = req.headers["idempotency-key"];
      await action.act(
        id,
        {
          ...(amount ? { amount } : {}),
          ...(typeof key === "string" ? { idempotencyKey: key } : {}),
          ...(authorization !== undefined ? { authorization } : {}),
        },
        { runId: runIdOf(req) },
      );
      return await merchant.orderView(id);
    } catch (e) {
      if (e instanceof action.InputError) reply.code(400);
      else if (e instanceof OrderStateError) reply.code(409);
      else throw e;
      return { error: (e as Error).message };
    }
  });
}
