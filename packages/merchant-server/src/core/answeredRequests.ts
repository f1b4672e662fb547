/** The merchant's idempotency records as the protocol's receive functions ask for them (digest 6 rule 3). */
import { type AnsweredRequests, toHex } from "@setlab/protocol";
import type { MerchantContext } from "./context";
import type { Order } from "./order";

/**
 * The merchant's record of requests of `kind` it took, as the receive functions ask for it: an
 * RRPID taken for another order is a conflicting reuse whatever the bytes.
 */
export function answeredIn(ctx: MerchantContext, kind: "PInitReq" | "PReq", order: Order): AnsweredRequests {
  return {
    fingerprintOf: async (rrpid) => {
      const stored = await ctx.repo.idempotency(kind, toHex(rrpid));
      if (!stored) return undefined;
      return stored.orderId === order.id ? stored.requestHash : "other";
    },
  };
}
