/**
 * How both embodiments' first answer ends: the order `initiated` under the new XID, the buyer's
 * opening message and the merchant's answer kept, and the request open for the card's reply.
 */
import { toHex } from "@setlab/protocol";
import type { MerchantContext, SetOutcome } from "./context";
import type { E1Request, E1Requests } from "./e1Requests";
import type { Order } from "./order";

export interface EmbodimentOpening {
  readonly embodiment: 1 | 2;
  readonly order: Order;
  /** The buyer's opening message (E1InfoInit, E2Init) as received. */
  readonly opening: { readonly type: string; readonly der: Uint8Array };
  /** The merchant's answer (E1InfoReq, E2MerchantHello) as sent. */
  readonly answer: { readonly type: string; readonly der: Uint8Array };
  /** The state change's note. */
  readonly detail: string;
  readonly request: Pick<E1Request, "lid_M" | "xid" | "chall_M" | "brands">;
  /** The answer's date. */
  readonly date: Date;
}

export async function recordEmbodimentOpening(
  ctx: MerchantContext,
  requests: Pick<E1Requests, "issue">,
  o: EmbodimentOpening,
): Promise<SetOutcome> {
  const { p } = ctx;
  const { order } = o;
  const xidHex = toHex(o.request.xid);
  await ctx.repo.commit(
    {
      orderId: order.id,
      expect: order.state,
      transitions: [{ to: "initiated", detail: o.detail }],
      xid: xidHex,
      messages: [
        { from: "cardholder", to: "merchant", ...o.opening },
        { from: "merchant", to: "cardholder", ...o.answer },
      ],
    },
    p.now(),
  );
  requests.issue({
    embodiment: o.embodiment,
    orderId: order.id,
    ...o.request,
    purchAmt: order.purchAmt,
    at: o.date.getTime(),
  });
  return {
    response: o.answer.der,
    requestType: o.opening.type,
    orderId: order.id,
    xid: xidHex,
    state: "initiated",
  };
}
