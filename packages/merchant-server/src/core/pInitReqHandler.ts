/**
 * PInitReq -> PInitRes (digest 3.3, patent steps S32-S33). The merchant finds the order by LID-M,
 * chooses the gateway by BrandID and BIN, makes XID, Chall-M and PReqDate, and signs PInitResData
 * naming the gateway's key-exchange certificate by PEThumb.
 */
import {
  encodeDer,
  parseSetCertificate,
  type ReadMessage,
  receivePInitReq,
  SetError,
  schema,
  signPInitRes,
  thumbOf,
  toHex,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import { ConcurrentChangeError } from "../store/repository";
import { answeredIn } from "./answeredRequests";
import { type MerchantContext, requestHash, type SetOutcome } from "./context";
import { expiredBefore } from "./issuedPurchases";
import { gatewayFor } from "./merchantConfig";
import type { Order, PurchaseContext } from "./order";
import { OrderScopedError } from "./orderScopedError";
import { isPayable } from "./purchaseAttempts";

/** The order PInitReq names by LID-M; unknownLID when there is none. */
export async function orderOfPInitReq(ctx: MerchantContext, req: schema.PInitReq): Promise<Order> {
  if (!req.localID_M) throw new SetError("unknownLID", "PInitReq names no LID-M", "PInitReq.localID-M");
  const lidM = Buffer.from(req.localID_M).toString("utf8");
  const order = await ctx.repo.orderByLidM(lidM);
  if (!order) throw new SetError("unknownLID", "no order has this LID-M", "PInitReq.localID-M");
  return order;
}

export async function handlePInitReq(
  ctx: MerchantContext,
  read: ReadMessage,
  req: schema.PInitReq,
): Promise<SetOutcome> {
  const { bytes } = read;
  const order = await orderOfPInitReq(ctx, req);
  const key = toHex(req.rrpid);
  const hash = requestHash(bytes);
  try {
    const received = await receivePInitReq(ctx.p, read, {
      now: ctx.p.now(),
      maxClockSkewMs: ctx.config.maxClockSkewMs,
      understoodExtensions: ctx.config.understoodExtensions,
      answered: answeredIn(ctx, "PInitReq", order),
    });
    if (received.repeat) return await storedAnswer(ctx, key, hash, order);
    return await initiate(ctx, bytes, order, req, key, hash);
  } catch (e) {
    if (e instanceof ConcurrentChangeError) {
      const again = await ctx.repo.idempotency("PInitReq", key);
      if (again) return await storedAnswer(ctx, key, hash, order);
      throw new OrderScopedError(
        order,
        new SetError("unspecifiedFailure", "the order changed while this PInitReq was answered", "PInitReq"),
      );
    }
    if (e instanceof SetError) throw new OrderScopedError(order, e);
    throw e;
  }
}

/** The stored answer of a PInitReq taken before (receivePInitReq said it is the same one again). */
async function storedAnswer(
  ctx: MerchantContext,
  key: string,
  hash: string,
  order: Order,
): Promise<SetOutcome> {
  const stored = await ctx.repo.idempotency("PInitReq", key);
  if (!stored || stored.requestHash !== hash || stored.orderId !== order.id || !stored.response)
    throw new OrderScopedError(
      order,
      new SetError("unknownRRPID", "this RRPID was already used by another PInitReq", "PInitReq.rrpid"),
    );
  return {
    response: stored.response,
    requestType: "purchaseInitRequest",
    orderId: order.id,
    xid: order.xid,
    state: order.state,
    replayed: true,
  };
}

async function initiate(
  ctx: MerchantContext,
  bytes: Uint8Array,
  order: Order,
  req: schema.PInitReq,
  key: string,
  hash: string,
): Promise<SetOutcome> {
  const { p, config } = ctx;
  // A PInitReq proves nothing about its sender, so it neither locks the order nor invalidates
  // another PInitRes: it gets an XID of its own, and every outstanding one stays valid.
  if (!isPayable(order))
    throw new SetError("unspecifiedFailure", `the order is already ${order.state}`, "PInitReq.localID-M");
  if (order.brand !== undefined && req.brandID !== order.brand)
    throw new SetError(
      "unspecifiedFailure",
      `this order is payable with ${order.brand} only`,
      "PInitReq.brandID",
    );
  const brand = gatewayFor(config, req.brandID, req.bin);
  if (!brand)
    throw new SetError(
      "unspecifiedFailure",
      `no gateway for brand ${req.brandID} and this BIN`,
      "PInitReq.brandID",
    );

  const date = wholeSeconds(p.now());
  const xid = p.random(20);
  const chall_M = p.random(20);
  const transIDs: schema.TransIDs = {
    lid_C: req.localID_C,
    lid_M: req.localID_M,
    xid,
    pReqDate: date,
    language: req.language,
  };
  const gatewayThumb = await thumbOf(p, parseSetCertificate(brand.gateway.certificate));
  const data: schema.PInitResData = {
    transIDs,
    rrpid: req.rrpid,
    chall_C: req.chall_C,
    chall_M,
    peThumb: { digestAlgorithm: { algorithm: schema.Std.sha256 }, thumbprint: gatewayThumb },
  };
  const pInitRes = await signPInitRes(p, brand.signer, data, brand.gateway);
  const response = wrapMessage(
    { type: "purchaseInitResponse", value: pInitRes },
    { rrpid: req.rrpid, lid_C: req.localID_C, lid_M: req.localID_M, xid },
    { date, swIdent: config.swIdent },
  );
  const xidHex = toHex(xid);
  const purchase: PurchaseContext = {
    brandID: req.brandID,
    bin: req.bin,
    transIDs: toHex(encodeDer(schema.TransIDs, transIDs)),
    chall_C: toHex(req.chall_C),
    chall_M: toHex(chall_M),
    pInitRRPID: key,
  };
  await ctx.repo.commit(
    {
      orderId: order.id,
      expect: order.state,
      transitions: [
        {
          to: "initiated",
          detail: `PInitRes sent: brand ${req.brandID}, gateway ${brand.gateway.id}, XID ${xidHex}`,
        },
      ],
      // The order shows its latest XID until a PReq takes one; then the XID of its latest
      // attempt, the one the gateway knows.
      ...(order.authorization ? {} : { xid: xidHex, purchase }),
      issue: { xid: xidHex, purchase, dropOutstandingBefore: expiredBefore(ctx, p.now()) },
      messages: [
        { from: "cardholder", to: "merchant", type: "purchaseInitRequest", der: bytes },
        { from: "merchant", to: "cardholder", type: "purchaseInitResponse", der: response },
      ],
      idempotency: { kind: "PInitReq", key, requestHash: hash, response },
    },
    p.now(),
  );
  return {
    response,
    requestType: "purchaseInitRequest",
    orderId: order.id,
    xid: xidHex,
    state: "initiated",
  };
}
