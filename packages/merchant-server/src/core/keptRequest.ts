/**
 * A request the merchant keeps for an order while it asks the gateway about it (capture,
 * authorization reversal, capture reversal / credit / credit reversal, a later authorization):
 * committed with the order's record before it leaves, so a call whose answer was lost sends the
 * same bytes again (the gateway answers a repeat with its stored answer) and nothing is asked
 * twice under two ids; then sent, its answer read with protocol's receive function, and what it
 * says recorded in one commit. Every commit expects the state the order was read in, so a change
 * made meanwhile is refused rather than overwritten. The calls run one per order at a time
 * (./oneAtATime.ts, `onOrderTurn`); what each request asks and how its answer moves the order
 * stay with it.
 */
import { RemoteSetError, SetError, type schema, wrapMessage } from "@setlab/protocol";
import type { CallContext, MerchantContext } from "./context";
import { GatewayUnreachableError } from "./gatewayClient";
import type { BrandConfig } from "./merchantConfig";
import { oneAtATime, orderTurn } from "./oneAtATime";
import type { Authorization, Order } from "./order";
import type { OrderState } from "./orderState";

/** What the order records of the gateway's answer, or of its absence. */
export interface Recording {
  /** The order's authorization record with the request's entry as it now stands. */
  readonly authorization: Authorization;
  /** A line of the order's history, moving it or not. */
  readonly transition?: { readonly to: OrderState; readonly detail: string };
}

/** One request of an order as it is sent and answered. */
export interface KeptRequest {
  /** The order as it was read: every commit expects its state. */
  readonly order: Pick<Order, "id" | "state">;
  /** The order's brand, whose gateway is asked. */
  readonly brand: BrandConfig;
  /** The wrapped request: its DER as committed. */
  readonly bytes: Uint8Array;
  /** The answer's message type as stored (`captureResponse`) and its SET name (`CapRes`). */
  readonly answer: { readonly type: string; readonly name: string };
  /** What the order records when no usable answer came (calling again sends the same request). */
  readonly failed: (failure: string) => Recording;
  /** The answer read with the receive function (a SetError: not usable) and what the order records. */
  readonly received: (answer: Uint8Array) => Promise<Recording>;
}

/**
 * Run `act` on order `orderId` at its turn, one call per order at a time, the order read when
 * the turn comes: a call repeated while the first waits for its answer reads what the first
 * recorded and sends nothing twice.
 */
export function onOrderTurn(
  ctx: MerchantContext,
  orderId: number,
  noSuchOrder: (message: string) => Error,
  act: (order: Order) => Promise<Order>,
): Promise<Order> {
  return oneAtATime(ctx, [orderTurn(orderId)], async () => {
    const order = await ctx.repo.order(orderId);
    if (!order) throw noSuchOrder(`no order ${orderId}`);
    return act(order);
  });
}

/**
 * A lifecycle operation called by order id (`captureOrder(ctx, orderId, options, call)`), `act`
 * run on the order at its turn (`onOrderTurn`).
 */
export function orderOperation<O>(
  noSuchOrder: (message: string) => Error,
  act: (ctx: MerchantContext, order: Order, options: O, call: CallContext) => Promise<Order>,
): (ctx: MerchantContext, orderId: number, options: O, call: CallContext) => Promise<Order> {
  return (ctx, orderId, options, call) =>
    onOrderTurn(ctx, orderId, noSuchOrder, (order) => act(ctx, order, options, call));
}

/** The request wrapped for the order's transaction: its header names the TransIDs and the request's RRPID. */
export function wrapOrderRequest(
  ctx: MerchantContext,
  message: Parameters<typeof wrapMessage>[0],
  transIDs: schema.TransIDs,
  rrpid: Uint8Array,
  date: Date,
): Uint8Array {
  return wrapMessage(
    message,
    { rrpid, lid_C: transIDs.lid_C, lid_M: transIDs.lid_M, xid: transIDs.xid },
    { date, swIdent: ctx.config.swIdent },
  );
}

/** Commit the request with the order's record holding its entry, before it leaves. */
export async function keepRequest(
  ctx: MerchantContext,
  request: {
    readonly order: Pick<Order, "id" | "state">;
    readonly authorization: Authorization;
    readonly type: string;
    readonly bytes: Uint8Array;
  },
): Promise<void> {
  await ctx.repo.commit(
    {
      orderId: request.order.id,
      expect: request.order.state,
      authorization: request.authorization,
      messages: [{ from: "merchant", to: "gateway", type: request.type, der: request.bytes }],
    },
    ctx.p.now(),
  );
}

/** Send the kept request, read the answer, record what it says; the order as it then is. */
export async function askKept(ctx: MerchantContext, request: KeptRequest, call: CallContext): Promise<Order> {
  const orderId = request.order.id;
  const gatewayId = request.brand.gateway.id;
  const record = async (recording: Recording, answer?: Uint8Array): Promise<Order> => {
    await ctx.repo.commit(
      {
        orderId,
        expect: request.order.state,
        ...(recording.transition ? { transitions: [recording.transition] } : {}),
        authorization: recording.authorization,
        ...(answer
          ? { messages: [{ from: "gateway", to: "merchant", type: request.answer.type, der: answer }] }
          : {}),
      },
      ctx.p.now(),
    );
    return (await ctx.repo.order(orderId))!;
  };
  let answer: Uint8Array;
  try {
    answer = await ctx.gateway.send(gatewayId, request.bytes, call);
  } catch (e) {
    const why = e instanceof GatewayUnreachableError ? "unreachable" : "call failed";
    return record(request.failed(`gateway ${gatewayId} ${why}: ${(e as Error).message}`));
  }
  let recording: Recording;
  try {
    recording = await request.received(answer);
  } catch (e) {
    if (!(e instanceof SetError)) throw e;
    const failure =
      e instanceof RemoteSetError
        ? `the gateway answered with a SET Error: ${e.code}`
        : `${request.answer.name} refused: ${e.message}`;
    recording = request.failed(failure);
  }
  return record(recording, answer);
}
