/**
 * Recovery of lifecycle requests (docs/lifecycle.md, "Requests left waiting"): every request committed
 * before it left and still without its answer (./waitingRequests.ts; a batch close kept under
 * its idempotency key) is asked for again by making its call again, exactly as the back office
 * repeating it would: the operation finds its stored request, sends the same bytes (the gateway
 * answers a repeat with its stored answer), reads the answer with the same receive function and
 * records it the same way (order state, history, events and webhooks). The operations run one
 * call per order at a time (./oneAtATime.ts), so a back-office repeat at the same moment waits
 * for this one's answer and sends nothing twice.
 */
import { capRevOrCredKinds } from "@setlab/protocol";
import { capRRPIDKey } from "../store/keyedGatewayRequests";
import { reverseAuthorization } from "./authReversal";
import { batchAdmin } from "./batchAdmin";
import { capRevOrCredOrder } from "./capRevOrCred";
import { captureOrder } from "./capture";
import { type CaptureManyItem, captureMany } from "./captureMany";
import type { CallContext, MerchantContext } from "./context";
import type { Order } from "./order";
import type { OrderState } from "./orderState";
import type { RetryBackoff } from "./retryBackoff";
import { authorizeSubsequent } from "./subsequentAuthorization";
import { type WaitingRequest, waitingRequestsOf } from "./waitingRequests";

/** What recovery did with one waiting request (for the logs: ids and outcomes, no card data). */
export interface RecoveredRequest {
  /** The SET request: CapReq, AuthRevReq, CapRevReq, CredReq, CredRevReq, AuthReq, BatchAdminReq. */
  readonly request: string;
  /** Its RRPID (hex); absent when the waiting requests could not be listed. */
  readonly rrpid?: string;
  /** Absent for a batch request, which belongs to no order. */
  readonly orderId?: number;
  /** The gateway's answer is recorded: the request no longer waits. */
  readonly finished: boolean;
  /** The order's state afterwards. */
  readonly state?: OrderState;
  /** Why it still waits (it is asked for again on a later run, after its backoff). */
  readonly error?: string;
  /** Failed attempts in a row so far, when it still waits. */
  readonly attempts?: number;
}

/**
 * Which requests this run asks for again: with a backoff, one that keeps failing waits longer
 * after each failure (./retryBackoff.ts), so a request that can never finish (an answer that
 * fails its checks every time) neither floods the gateway nor the log.
 */
export interface Pacing {
  readonly backoff: RetryBackoff;
  readonly now: () => number;
}

/** A run's pacing: the requests it counted (a CapReq of several orders is one attempt, not one per order). */
type RunPacing = Pacing & { readonly counted: Map<string, number> };

function paced(pacing: RunPacing | undefined, key: string, report: RecoveredRequest): RecoveredRequest {
  if (!pacing) return report;
  if (report.finished) {
    pacing.backoff.succeeded(key);
    return report;
  }
  let attempts = pacing.counted.get(key);
  if (attempts === undefined) {
    attempts = pacing.backoff.failed(key, pacing.now());
    pacing.counted.set(key, attempts);
  }
  return { ...report, attempts };
}

const requestName = (w: WaitingRequest): string => {
  if (w.kind === "capRevOrCred") return capRevOrCredKinds[w.entry.kind].request;
  return { capture: "CapReq", authReversal: "AuthRevReq", subsequentAuthorization: "AuthReq" }[w.kind];
};

/** The call that asked for `w`, made again with what it asked. */
async function askAgain(ctx: MerchantContext, order: Order, w: WaitingRequest, call: CallContext) {
  const key = {
    ...(w.idempotencyKey !== undefined ? { idempotencyKey: w.idempotencyKey } : {}),
    ...(w.authorization !== undefined ? { authorization: w.authorization } : {}),
  };
  switch (w.kind) {
    case "capture": {
      // A CapReq of several orders is that captureMany's: made again under the key it is kept by.
      const many = await ctx.repo.keyedGatewayRequest("captureMany", capRRPIDKey(w.rrpid));
      if (!many) return captureOrder(ctx, order.id, { amount: w.amount, ...key }, call);
      if (!many.input) throw new Error("the CapReq was kept without its call: repeat that captureMany");
      const input = JSON.parse(many.input) as { items: CaptureManyItem[]; batchId?: number };
      return captureMany(
        ctx,
        input.items,
        { idempotencyKey: many.key, ...(input.batchId !== undefined ? { batchId: input.batchId } : {}) },
        call,
      );
    }
    case "authReversal":
      return reverseAuthorization(ctx, order.id, { amount: w.amount, ...key }, call);
    case "subsequentAuthorization":
      return authorizeSubsequent(ctx, order.id, { amount: w.amount, ...key }, call);
    case "capRevOrCred": {
      const { kind, creditId, newBatchID } = w.entry;
      return capRevOrCredOrder(
        ctx,
        kind,
        order.id,
        {
          ...(kind !== "captureReversal" ? { amount: w.amount } : {}),
          ...(creditId !== undefined ? { creditId } : {}),
          ...(newBatchID !== undefined ? { batchId: newBatchID } : {}),
          ...key,
        },
        call,
      );
    }
  }
}

/** The requests asked for again in one run, by kind and RRPID: a CapReq of several orders is sent once. */
type Asked = Map<string, Promise<void>>;

async function finishOrderRequest(
  ctx: MerchantContext,
  orderId: number,
  w: WaitingRequest,
  asked: Asked,
  call: CallContext,
): Promise<RecoveredRequest> {
  const ids = { request: requestName(w), rrpid: w.rrpid, orderId };
  const stillWaiting = (o: Order | undefined) =>
    waitingRequestsOf(o?.authorization).find((x) => x.kind === w.kind && x.rrpid === w.rrpid);
  const once = `${w.kind}:${w.rrpid}`;
  let asking = asked.get(once);
  if (!asking) {
    asking = (async () => {
      // Answered since the list was read (a back-office repeat): nothing to send.
      const now = await ctx.repo.order(orderId);
      if (stillWaiting(now)) await askAgain(ctx, now!, w, call);
    })();
    asked.set(once, asking);
  }
  try {
    await asking;
    const after = await ctx.repo.order(orderId);
    const left = stillWaiting(after);
    return {
      ...ids,
      finished: left === undefined,
      ...(after ? { state: after.state } : {}),
      ...(left ? { error: left.failure ?? "no usable answer" } : {}),
    };
  } catch (e) {
    // Refused before asking (the order moved on meanwhile) or a store failure: reported, never thrown.
    return { ...ids, finished: false, error: (e as Error).message };
  }
}

async function finishBatchRequests(
  ctx: MerchantContext,
  call: CallContext,
  pacing: RunPacing | undefined,
): Promise<RecoveredRequest[]> {
  const reports: RecoveredRequest[] = [];
  for (const kept of await ctx.repo.unansweredKeyedGatewayRequests("batchAdmin")) {
    const key = `batchAdmin:${kept.rrpid}`;
    if (pacing && !pacing.backoff.due(key, pacing.now())) continue;
    const ids = { request: "BatchAdminReq", rrpid: kept.rrpid };
    try {
      if (!kept.input) throw new Error("the BatchAdminReq was kept without its call: repeat it");
      const input = JSON.parse(kept.input) as {
        operation: "open" | "close" | "query";
        batchId?: number;
        brand: string;
      };
      await batchAdmin(
        ctx,
        input.operation,
        {
          brand: input.brand,
          idempotencyKey: kept.key,
          ...(input.batchId !== undefined ? { batchId: input.batchId } : {}),
        },
        call,
      );
      reports.push(paced(pacing, key, { ...ids, finished: true }));
    } catch (e) {
      reports.push(paced(pacing, key, { ...ids, finished: false, error: (e as Error).message }));
    }
  }
  return reports;
}

/**
 * Ask again for every lifecycle request waiting for the gateway's answer, and record the answers.
 * Orders are taken together, each one's requests in turn; batch requests last. With `pacing`, a
 * request whose backoff is not over is left for a later run (and not reported). Never throws.
 */
export async function finishWaitingRequests(
  ctx: MerchantContext,
  call: CallContext = {},
  pacingOf?: Pacing,
): Promise<RecoveredRequest[]> {
  const pacing: RunPacing | undefined = pacingOf && { ...pacingOf, counted: new Map() };
  let orders: Order[];
  try {
    orders = await ctx.repo.ordersWaitingForGateway();
  } catch (e) {
    return [{ request: "", finished: false, error: `cannot list waiting requests: ${(e as Error).message}` }];
  }
  const asked: Asked = new Map();
  const perOrder = await Promise.all(
    orders.map(async (order) => {
      const reports: RecoveredRequest[] = [];
      for (const w of waitingRequestsOf(order.authorization)) {
        const key = `${w.kind}:${w.rrpid}`;
        if (pacing && !pacing.backoff.due(key, pacing.now())) continue;
        reports.push(paced(pacing, key, await finishOrderRequest(ctx, order.id, w, asked, call)));
      }
      return reports;
    }),
  );
  let batches: RecoveredRequest[];
  try {
    batches = await finishBatchRequests(ctx, call, pacing);
  } catch (e) {
    batches = [{ request: "BatchAdminReq", finished: false, error: (e as Error).message }];
  }
  return [...perOrder.flat(), ...batches];
}
