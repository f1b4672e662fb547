/**
 * A SET failure found once the order is known: the request and the Error answering it are then
 * recorded among the order's messages, so `GET /orders/:id/messages` shows the refusal too.
 */
import type { SetError } from "@setlab/protocol";
import type { Order } from "./order";

export class OrderScopedError extends Error {
  override readonly name = "OrderScopedError";
  constructor(
    readonly order: Order,
    readonly failure: SetError,
  ) {
    super(failure.message);
  }
}
