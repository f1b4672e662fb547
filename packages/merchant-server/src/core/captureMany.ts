/**
 * The merchant captures many authorizations in one CapReq (digest 3.7: CapItemSeq, one CapToken
 * per item), each in full or in part, optionally into a batch it names (SaleDetail.BatchID). The
 * gateway captures each item on its own and answers each: every order gets its item's answer
 * (captured or partiallyCaptured with the BatchID and BatchSequenceNum, or its CapCode). The
 * CapReq is committed with every order before it leaves and kept whole (under its CapRRPID, and
 * under the idempotency key when one is given), so a repeat of the call (after a lost answer, a
 * crash) sends the same bytes and the gateway answers with its stored CapRes: nothing is captured
 * twice.
 */
import { createHash } from "node:crypto";
import {
  decodeDer,
  formatCurrencyAmount,
  fromHex,
  maxCapItems,
  RemoteSetError,
  receiveCapRes,
  SetError,
  sameMinorUnits,
  schema,
  sealCapReq,
  toHex,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import { capRRPIDKey } from "../store/keyedGatewayRequests";
import { answerReceiver } from "./answerReceiver";
import {
  type AuthorizationPart,
  authorizationPart,
  checkAuthorizationNumber,
  laterPartState,
  partDetail,
  withPart,
} from "./authorizationPart";
import { isBatchNumber } from "./batchNumber";
import { CaptureInputError, capturable, checkAmount } from "./capture";
import type { CallContext, MerchantContext } from "./context";
import { GatewayUnreachableError } from "./gatewayClient";
import type { BrandConfig } from "./merchantConfig";
import { checkIdempotencyKey, OrderInputError } from "./newOrder";
import { oneAtATime, orderTurn } from "./oneAtATime";
import type { Capture, Order } from "./order";
import { OrderStateError } from "./orderState";
import { brandOf } from "./purchaseBrand";

/** One order to capture: all of its AuthAmt, or `amount` of it. */
export interface CaptureManyItem {
  readonly orderId: number;
  readonly amount?: schema.CurrencyAmount;
  /** Which authorization of its purchase: 1 (default) the first, 2 and on a later one (./authorizationPart.ts). */
  readonly authorization?: number;
}

export interface CaptureManyOptions {
  /** The gateway batch to capture into (SaleDetail.BatchID); absent: the merchant's open batch. */
  readonly batchId?: number;
  /** 1 to 255 visible ASCII characters; a repeat of the call with it sends the same CapReq. */
  readonly idempotencyKey?: string;
}

export interface CaptureManyResult {
  /** Hex: the CapReq's RRPID. */
  readonly capRRPID: string;
  /** The orders after the gateway's answer, in the order asked. */
  readonly orders: readonly Order[];
  /** Why no usable answer came, if none did (the call may be repeated with its idempotency key). */
  readonly failure?: string;
}

/** At most this many orders in one call: the most one CapReq carries (protocol's maxCapItems). */
export const maxCaptureManyItems = maxCapItems;

function itemsOf(input: readonly (number | CaptureManyItem)[]): CaptureManyItem[] {
  if (!Array.isArray(input) || input.length === 0)
    throw new CaptureInputError("invalidBody", "captureMany takes a non-empty list of orders");
  if (input.length > maxCaptureManyItems)
    throw new CaptureInputError("tooManyOrders", `at most ${maxCaptureManyItems} orders in one capture`);
  const items = input.map((i) => (typeof i === "number" ? { orderId: i } : i));
  const seen = new Set<number>();
  for (const { orderId } of items) {
    if (!Number.isSafeInteger(orderId) || orderId < 1)
      throw new CaptureInputError("invalidBody", "an order id is a positive integer");
    if (seen.has(orderId)) throw new CaptureInputError("invalidBody", `order ${orderId} is listed twice`);
    seen.add(orderId);
  }
  return items;
}

const fingerprintOf = (items: readonly CaptureManyItem[], batchId: number | undefined): string =>
  createHash("sha256")
    .update(
      JSON.stringify([
        items.map((i) => [
          i.orderId,
          i.amount ? [i.amount.currency, i.amount.amount, i.amount.amtExp10] : null,
          i.authorization ?? 1,
        ]),
        batchId ?? null,
      ]),
    )
    .digest("hex");

/** The call as kept with its CapReq, for recovery to make it again (./lifecycleRecovery.ts). */
export const captureManyInput = (items: readonly CaptureManyItem[], batchId: number | undefined): string =>
  JSON.stringify({ items, ...(batchId !== undefined ? { batchId } : {}) });

interface Planned {
  readonly order: Order;
  /** The authorization of the order's purchase captured, and its number. */
  readonly auth: AuthorizationPart;
  readonly capReqAmt: schema.CurrencyAmount;
  readonly transIDs: schema.TransIDs;
}

/** The orders as asked: each capturable for its amount, all through one gateway and brand key. */
async function plan(ctx: MerchantContext, items: readonly CaptureManyItem[], capRRPID?: string) {
  const planned: Planned[] = [];
  let brand: BrandConfig | undefined;
  for (const { orderId, amount, authorization } of items) {
    const order = await ctx.repo.order(orderId);
    if (!order) throw new CaptureInputError("noSuchOrder", `no order ${orderId}`);
    const partNo = checkAuthorizationNumber(
      authorization,
      (message) => new CaptureInputError("noSuchAuthorization", message),
    );
    const auth = authorizationPart(order, partNo);
    if (partNo !== 1 && !auth)
      throw new CaptureInputError(
        "noSuchAuthorization",
        `order ${orderId}'s purchase has no approved authorization ${partNo}`,
      );
    const done = capRRPID !== undefined && auth?.capture?.capRRPID === capRRPID;
    // The first authorization's state is the order's; a later one's is read from its records.
    const state = partNo === 1 || !auth ? order.state : laterPartState(auth);
    if (!done && !(capturable as readonly string[]).includes(state))
      throw new OrderStateError(
        `order ${orderId}${partNo === 1 ? "" : `'s authorization ${partNo}`} is ${state}: only an authorized one can be captured`,
      );
    if (!auth?.capToken || !auth.authAmt)
      throw new CaptureInputError(
        "noCapToken",
        `order ${orderId}'s authorization carries no CapToken to capture with`,
      );
    if (!done && auth.capture && auth.capture.capCode === undefined)
      throw new CaptureInputError(
        "captureWaiting",
        `order ${orderId} has a capture waiting for the gateway's answer`,
      );
    const capReqAmt = amount ?? auth.authAmt;
    checkAmount(capReqAmt, auth.authAmt);
    const orderBrand = brandOf(ctx, order.purchase!);
    if (brand && (brand.brandID !== orderBrand.brandID || brand.gateway.id !== orderBrand.gateway.id))
      throw new CaptureInputError(
        "severalGateways",
        "one capture goes to one gateway for one brand: these orders need several",
      );
    brand = orderBrand;
    const transIDs = decodeDer(schema.TransIDs, fromHex(order.purchase!.transIDs), "TransIDs");
    planned.push({ order, auth, capReqAmt, transIDs });
  }
  return { planned, brand: brand! };
}

async function buildCapReq(
  ctx: MerchantContext,
  brand: BrandConfig,
  planned: readonly Planned[],
  batchId: number | undefined,
) {
  const { p } = ctx;
  const date = wholeSeconds(p.now());
  const rrpid = p.random(20);
  const data: schema.CapReqData = {
    capRRTags: { rrpid, merTermIDs: { merchantID: ctx.config.merchantID }, currentDate: date },
    capItemSeq: planned.map(({ auth, capReqAmt, transIDs }) => ({
      transIDs,
      authRRPID: fromHex(auth.authRRPID),
      capPayload: {
        capDate: date,
        capReqAmt,
        ...(batchId !== undefined ? { saleDetail: { batchID: batchId, okToPrintPhoneInd: true } } : {}),
      },
    })),
  };
  const tokens = planned.map(({ auth }) => decodeDer(schema.CapToken, fromHex(auth.capToken!), "CapToken"));
  const capReq = await sealCapReq(p, brand.authSigner, brand.gateway.certificate, data, tokens);
  // A request of one item names its transaction in the header, as `capture` does.
  const one = planned.length === 1 ? planned[0].transIDs : undefined;
  const bytes = wrapMessage(
    { type: "captureRequest", value: capReq },
    {
      rrpid,
      ...(one ? { lid_C: one.lid_C, ...(one.lid_M ? { lid_M: one.lid_M } : {}), xid: one.xid } : {}),
    },
    { date, swIdent: ctx.config.swIdent },
  );
  return { bytes, capRRPID: toHex(rrpid), at: date.toISOString() };
}

/**
 * A call without a key that repeats the one whose answer did not come (its first order's capture
 * still waiting, with the same orders, amounts and batch): that call's CapReq, sent again.
 */
async function sameCallAgain(ctx: MerchantContext, first: CaptureManyItem, fingerprint: string) {
  const order = await ctx.repo.order(first.orderId);
  const pending = order && authorizationPart(order, first.authorization ?? 1)?.capture;
  if (!pending?.capRRPID || pending.capCode !== undefined) return undefined;
  const earlier = await ctx.repo.keyedGatewayRequest("captureMany", capRRPIDKey(pending.capRRPID));
  return earlier?.fingerprint === fingerprint ? earlier : undefined;
}

/** One call per order at a time, holding every order it names (./oneAtATime.ts): `captureManyNow`. */
export function captureMany(
  ctx: MerchantContext,
  input: readonly (number | CaptureManyItem)[],
  options: CaptureManyOptions,
  call: CallContext,
): Promise<CaptureManyResult> {
  const ids = Array.isArray(input) ? input.map((i) => (typeof i === "number" ? i : i?.orderId)) : [];
  return oneAtATime(
    ctx,
    ids.map((id) => orderTurn(Number(id))),
    () => captureManyNow(ctx, input, options, call),
  );
}

/**
 * Capture the orders in one CapReq. Refused before any message (CaptureInputError,
 * OrderStateError, OrderInputError for a bad or reused idempotency key) when the list is empty,
 * too long or repeats an order, an order is unknown, not authorized, has no CapToken or a capture
 * in flight, an amount is over its AuthAmt, or the orders need different gateways or brand keys.
 */
async function captureManyNow(
  ctx: MerchantContext,
  input: readonly (number | CaptureManyItem)[],
  options: CaptureManyOptions,
  call: CallContext,
): Promise<CaptureManyResult> {
  const items = itemsOf(input);
  const { batchId, idempotencyKey: key } = options;
  if (batchId !== undefined && !isBatchNumber(batchId))
    throw new CaptureInputError("invalidBatchId", "a batch id is an integer from 1 to 2147483647");
  const fingerprint = fingerprintOf(items, batchId);
  if (key !== undefined) checkIdempotencyKey(key);
  const stored = async () => {
    if (key === undefined) return undefined;
    const found = await ctx.repo.keyedGatewayRequest("captureMany", key);
    if (found && found.fingerprint !== fingerprint)
      throw new OrderInputError(
        "idempotencyKeyReused",
        `idempotency key ${key} was used for another capture (other orders, amounts or batch)`,
      );
    return found;
  };
  let sent =
    (await stored()) ?? (key === undefined ? await sameCallAgain(ctx, items[0], fingerprint) : undefined);
  const { planned, brand } = await plan(ctx, items, sent?.rrpid);
  if (!sent) {
    const built = await buildCapReq(ctx, brand, planned, batchId);
    const request = {
      kind: "captureMany" as const,
      fingerprint,
      rrpid: built.capRRPID,
      request: built.bytes,
      input: captureManyInput(items, batchId),
    };
    // Kept under its CapRRPID whatever the key: a repeat without a key, and `capture` of one of
    // its orders, find it there.
    await ctx.repo.recordKeyedGatewayRequest({ ...request, key: capRRPIDKey(built.capRRPID) }, ctx.p.now());
    sent = { ...request, key: key ?? capRRPIDKey(built.capRRPID) };
    if (key !== undefined)
      try {
        await ctx.repo.recordKeyedGatewayRequest(sent, ctx.p.now());
      } catch (e) {
        // The same key at the same time: the first call's request is the one sent.
        const raced = await stored();
        if (!raced) throw e;
        sent = raced;
      }
  }
  const { rrpid: capRRPID, request: bytes } = sent;
  const at = wholeSeconds(ctx.p.now()).toISOString();
  // Every order records the CapReq before it leaves; one of an earlier attempt already has.
  const open = planned.filter(({ auth }) => auth.capture?.capRRPID !== capRRPID);
  for (const { order, auth, capReqAmt } of open)
    await ctx.repo.commit(
      {
        orderId: order.id,
        expect: order.state,
        authorization: withPart(order.authorization!, auth.part, { capture: { capRRPID, capReqAmt, at } }),
        messages: [{ from: "merchant", to: "gateway", type: "captureRequest", der: bytes }],
      },
      ctx.p.now(),
    );
  const reread = async () => {
    const orders = await Promise.all(items.map((i) => ctx.repo.order(i.orderId)));
    return orders as Order[];
  };
  /** Each order still waiting for this CapReq's answer gets `change` (and the answer's bytes). */
  const settle = async (
    change: (p: Planned, now: Order) => { capture: Partial<Capture>; to?: Order["state"]; detail?: string },
    answer?: Uint8Array,
  ) => {
    for (const item of planned) {
      const now = (await ctx.repo.order(item.order.id))!;
      const auth = authorizationPart(now, item.auth.part)!;
      if (auth.capture?.capRRPID !== capRRPID || auth.capture.capCode !== undefined) continue;
      const c = change(item, now);
      // A later authorization's capture leaves the order in its state: a line of its history.
      const to = c.to && item.auth.part !== 1 ? now.state : c.to;
      await ctx.repo.commit(
        {
          orderId: now.id,
          expect: now.state,
          ...(to ? { transitions: [{ to, detail: partDetail(item.auth.part, c.detail ?? "") }] } : {}),
          authorization: withPart(now.authorization!, item.auth.part, {
            capture: { ...auth.capture, failure: undefined, ...c.capture },
          }),
          ...(answer
            ? { messages: [{ from: "gateway", to: "merchant", type: "captureResponse", der: answer }] }
            : {}),
        },
        ctx.p.now(),
      );
    }
  };
  const failed = async (failure: string, answer?: Uint8Array) => {
    await settle(() => ({ capture: { failure } }), answer);
    return { capRRPID, orders: await reread(), failure };
  };
  let answer: Uint8Array;
  try {
    answer = await ctx.gateway.send(brand.gateway.id, bytes, call);
  } catch (e) {
    const why = e instanceof GatewayUnreachableError ? "unreachable" : "call failed";
    return failed(`gateway ${brand.gateway.id} ${why}: ${(e as Error).message}`);
  }
  let received: Awaited<ReturnType<typeof receiveCapRes>>;
  try {
    received = await receiveCapRes(
      ctx.p,
      answer,
      {
        capRRPID: fromHex(capRRPID),
        items: planned.map(({ auth, capReqAmt, transIDs }) => ({
          transIDs,
          authRRPID: fromHex(auth.authRRPID),
          capReqAmt,
        })),
        brand: brand.brandID,
        gateway: brand.gateway.certificate,
      },
      answerReceiver(ctx, brand),
    );
  } catch (e) {
    if (!(e instanceof SetError)) throw e;
    return failed(
      e instanceof RemoteSetError
        ? `the gateway answered with a SET Error: ${e.code}`
        : `CapRes refused: ${e.message}`,
      answer,
    );
  }
  const byOrder = new Map(planned.map((p, i) => [p.order.id, received.items[i]]));
  await settle(({ order, capReqAmt }, now) => {
    const item = byOrder.get(order.id)!;
    const { capCode, capAmt, batchID, batchSequenceNum } = item.payload;
    if (item.verdict === "captured")
      return {
        capture: {
          capCode,
          capAmt,
          ...(batchID !== undefined ? { batchID } : {}),
          ...(batchSequenceNum !== undefined ? { batchSequenceNum } : {}),
        },
        to: sameMinorUnits(capReqAmt, now.purchAmt) ? "captured" : "partiallyCaptured",
        detail: `captured ${formatCurrencyAmount(capAmt)}${batchID !== undefined ? ` in batch ${batchID}` : ""}`,
      };
    if (item.verdict === "refused") return { capture: { capCode, capAmt } };
    return {
      capture: {
        failure: `CapAmt ${formatCurrencyAmount(capAmt)} is not the ${formatCurrencyAmount(capReqAmt)} asked`,
      },
    };
  }, answer);
  return { capRRPID, orders: await reread() };
}
