/**
 * PReq -> (AuthReq -> AuthRes) -> PRes (digest 3.4-3.6, patent steps S38-S54).
 *
 * The merchant finds the PInitRes (and its order) by XID, verifies the PReq against what that
 * PInitRes fixed (`verifyPReqAsMerchant`), forwards the cardholder's PI to the gateway in an AuthReq, checks the
 * AuthRes and answers the cardholder with a signed PRes:
 * - approved: CompletionCode authorizationPerformed, Results.AuthStatus {AuthDate, AuthAmt};
 * - declined (any other AuthCode): CompletionCode orderRejected, no AuthStatus (SET's AuthStatus
 *   carries no AuthCode, so its absence is what tells the card the order was refused);
 * - gateway unreachable, Error or unusable AuthRes: CompletionCode orderReceived (the order is held,
 *   and the card is not left waiting), order state authorizationFailed.
 *
 * Idempotency: the PReq's OIData.RRPID keys the stored PRes; the same PReq bytes get the same PRes
 * bytes, and only one AuthReq is ever made for a PReq (an interrupted authorization is resumed by
 * re-sending the stored AuthReq, same bytes and AuthRRPID).
 */
import {
  decodeDer,
  encodeDer,
  fromHex,
  oiDataOf,
  type ReadMessage,
  receivePReq,
  SetError,
  schema,
  sealAuthReq,
  signPRes,
  toHex,
  utf8,
  type VerifiedPReq,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import { ConcurrentChangeError } from "../store/repository";
import { answeredIn } from "./answeredRequests";
import { type AuthorizationResult, authReqDataFor, readAuthorization } from "./authorization";
import { type CallContext, type MerchantContext, requestHash, type SetOutcome } from "./context";
import { GatewayUnreachableError } from "./gatewayClient";
import { checkOutstanding, issuedPurchaseOf } from "./issuedPurchases";
import { type BrandConfig, gatewayFor, requiresCardholderCertificate } from "./merchantConfig";
import type { Authorization, IssuedPurchase, Order, PurchaseContext } from "./order";
import { OrderScopedError } from "./orderScopedError";
import type { OrderState } from "./orderState";
import { checkAttemptBudget, isPayable, payerOf } from "./purchaseAttempts";

export async function handlePReq(
  ctx: MerchantContext,
  read: ReadMessage,
  pReq: schema.PReq,
  call: CallContext,
): Promise<SetOutcome> {
  const { bytes } = read;
  // OIData's XID names one PInitRes of one order; receivePReq then judges the PReq against what
  // that PInitRes fixed.
  const oiData = oiDataOf(pReq);
  const xidHex = toHex(oiData.transIDs.xid);
  const issued = await issuedPurchaseOf(ctx, xidHex);
  const order = await ctx.repo.order(issued.orderId);
  if (!order) throw new SetError("unknownXID", "no order has this XID", "OIData.transIDs.xid");
  const key = toHex(oiData.rrpid);
  const hash = requestHash(bytes);
  try {
    const purchase = issued.purchase;
    const brand = brandOf(ctx, purchase);
    const transIDs = decodeDer(schema.TransIDs, fromHex(purchase.transIDs));
    const received = await receivePReq(
      ctx.p,
      read,
      {
        transIDs,
        chall_C: fromHex(purchase.chall_C),
        chall_M: fromHex(purchase.chall_M),
        od: utf8(order.description),
        purchAmt: order.purchAmt,
        brandID: purchase.brandID,
        bin: purchase.bin,
        cardCertRequired: requiresCardholderCertificate(brand),
        understoodExtensions: ctx.config.understoodExtensions,
      },
      {
        trust: { ...ctx.config.trust, at: ctx.p.now() },
        now: ctx.p.now(),
        maxClockSkewMs: ctx.config.maxClockSkewMs,
        answered: answeredIn(ctx, "PReq", order),
      },
    );
    if (received.repeat) {
      const earlier = await earlierAnswer(ctx, order, key, hash, call);
      if (earlier) return earlier;
      throw new SetError("unspecifiedFailure", "the earlier PReq left no record", "PReq");
    }
    return await takePurchase(ctx, bytes, order, issued, received, oiData, brand, transIDs, key, hash, call);
  } catch (e) {
    if (e instanceof ConcurrentChangeError) {
      const again = await earlierAnswer(ctx, order, key, hash, call);
      if (again) return again;
      throw new OrderScopedError(
        order,
        new SetError("unspecifiedFailure", "another purchase request was taken for this order", "PReq"),
      );
    }
    if (e instanceof SetError) throw new OrderScopedError(order, e);
    throw e;
  }
}

/** The stored PRes of the same PReq, or the resumed authorization of a PReq taken before a restart. */
async function earlierAnswer(
  ctx: MerchantContext,
  order: Order,
  key: string,
  hash: string,
  call: CallContext,
): Promise<SetOutcome | undefined> {
  const stored = await ctx.repo.idempotency("PReq", key);
  if (!stored) return undefined;
  if (stored.requestHash !== hash || stored.orderId !== order.id)
    throw new SetError("unknownRRPID", "this RRPID was already used by another PReq", "OIData.rrpid");
  const current = (await ctx.repo.order(order.id)) ?? order;
  if (stored.response)
    return {
      response: stored.response,
      requestType: "purchaseRequest",
      orderId: order.id,
      xid: order.xid,
      state: current.state,
      replayed: true,
    };
  if (current.state !== "authorizing")
    throw new SetError("unspecifiedFailure", `the order is ${current.state} without an answer`, "PReq");
  return resume(ctx, current, key, hash, call);
}

interface Pending {
  readonly brand: BrandConfig;
  readonly transIDs: schema.TransIDs;
  readonly oiData: schema.OIData;
  readonly authReq: Uint8Array;
  readonly authRRPID: Uint8Array;
  readonly key: string;
  readonly hash: string;
}

function brandOf(ctx: MerchantContext, purchase: PurchaseContext): BrandConfig {
  const brand = gatewayFor(ctx.config, purchase.brandID, purchase.bin);
  if (!brand)
    throw new SetError("unspecifiedFailure", `brand ${purchase.brandID} is no longer configured`, "PReq");
  return brand;
}

/** A PReq receivePReq accepted: forward its PI in an AuthReq, then answer with the PRes. */
async function takePurchase(
  ctx: MerchantContext,
  bytes: Uint8Array,
  order: Order,
  issued: IssuedPurchase,
  verified: VerifiedPReq,
  oiData: schema.OIData,
  brand: BrandConfig,
  transIDs: schema.TransIDs,
  key: string,
  hash: string,
  call: CallContext,
): Promise<SetOutcome> {
  const { p, config } = ctx;
  if (!isPayable(order))
    throw new SetError("unspecifiedFailure", `the order is ${order.state}, not awaiting a PReq`, "PReq");
  checkOutstanding(ctx, issued, p.now());
  const payer = payerOf(verified);
  await checkAttemptBudget(ctx, order, payer);

  const date = wholeSeconds(p.now());
  const authRRPID = p.random(20);
  const data = authReqDataFor(config.merchantID, authRRPID, date, transIDs, verified, order.purchAmt);
  const piDer = encodeDer(schema.PI, verified.pi);
  const sealed = await sealAuthReq(p, brand.authSigner, brand.gateway.certificate, data, piDer);
  const authReq = wrapMessage(
    { type: "authorizationRequest", value: sealed },
    { rrpid: authRRPID, lid_C: transIDs.lid_C, lid_M: transIDs.lid_M, xid: transIDs.xid },
    { date, swIdent: config.swIdent },
  );
  const who = verified.cardholderCertificate ? `, cardholder ${verified.cardholderCertificate.subject}` : "";
  await ctx.repo.commit(
    {
      orderId: order.id,
      expect: order.state,
      transitions: [
        { to: "purchaseRequested", detail: `PReq verified (${verified.form}${who}), XID ${issued.xid}` },
        {
          to: "authorizing",
          detail: `AuthReq sent to gateway ${brand.gateway.id}, AuthRRPID ${toHex(authRRPID)}`,
        },
      ],
      authorization: { authRRPID: toHex(authRRPID), gateway: brand.gateway.id },
      // The XID the gateway will know the order by, and what its PInitRes fixed.
      xid: issued.xid,
      purchase: issued.purchase,
      take: { xid: issued.xid, payer },
      messages: [
        { from: "cardholder", to: "merchant", type: "purchaseRequest", der: bytes },
        { from: "merchant", to: "gateway", type: "authorizationRequest", der: authReq },
      ],
      idempotency: { kind: "PReq", key, requestHash: hash },
    },
    p.now(),
  );
  return authorize(ctx, order, { brand, transIDs, oiData, authReq, authRRPID, key, hash }, call);
}

/** An authorization a stopped process left in flight: re-send the stored AuthReq, unchanged. */
async function resume(
  ctx: MerchantContext,
  order: Order,
  key: string,
  hash: string,
  call: CallContext,
): Promise<SetOutcome> {
  const messages = await ctx.repo.messages(order.id);
  // The PReq this authorization answers (a refused PReq recorded later has other bytes).
  const pReqDer = messages.find(
    (m) => m.from === "cardholder" && m.type === "purchaseRequest" && requestHash(m.der) === hash,
  )?.der;
  const authReq = messages.filter((m) => m.type === "authorizationRequest").at(-1)?.der;
  if (!pReqDer || !authReq)
    throw new SetError("unspecifiedFailure", "the interrupted authorization left no AuthReq", "PReq");
  const pReqWrapper = schema.decodeMessage(pReqDer);
  const authWrapper = schema.decodeMessage(authReq);
  if (pReqWrapper.message.type !== "purchaseRequest" || !authWrapper.messageHeader.rrpid)
    throw new SetError("unspecifiedFailure", "the stored messages are not a PReq and an AuthReq", "PReq");
  const transIDs = decodeDer(schema.TransIDs, fromHex(order.purchase!.transIDs));
  return authorize(
    ctx,
    order,
    {
      brand: brandOf(ctx, order.purchase!),
      transIDs,
      oiData: oiDataOf(pReqWrapper.message.value),
      authReq,
      authRRPID: authWrapper.messageHeader.rrpid,
      key,
      hash,
    },
    call,
  );
}

/** What asking the gateway gave: its answer, what it means, and whether the outcome is in doubt. */
interface Reading {
  readonly answer?: Uint8Array;
  readonly result: AuthorizationResult;
  /**
   * No usable answer came, yet the gateway may have taken the AuthReq (a timeout, a dropped
   * connection, a 5xx, an answer damaged on the wire): it may hold an authorization the merchant
   * does not know. The order stays `authorizing` and the stored AuthReq is sent again later.
   */
  readonly inDoubt: boolean;
}

interface Asked {
  readonly brand: BrandConfig;
  readonly transIDs: schema.TransIDs;
  readonly authReq: Uint8Array;
  readonly authRRPID: Uint8Array;
}

async function askGateway(
  ctx: MerchantContext,
  order: Order,
  asked: Asked,
  call: CallContext,
): Promise<Reading> {
  const { brand, transIDs } = asked;
  const expected = { authRRPID: asked.authRRPID, transIDs, authReqAmt: order.purchAmt };
  // The client asks whether an answer is usable; one damaged on the wire is fetched again.
  let read: { answer: Uint8Array; result: AuthorizationResult } | undefined;
  const accept = async (a: Uint8Array): Promise<boolean> => {
    const r = await readAuthorization(ctx, brand, a, expected);
    read = { answer: a, result: r };
    return !(r.kind === "failed" && r.onWire);
  };
  try {
    const answer = await ctx.gateway.send(brand.gateway.id, asked.authReq, { ...call, accept });
    const result =
      read?.answer === answer ? read.result : await readAuthorization(ctx, brand, answer, expected);
    return { answer, result, inDoubt: result.kind === "failed" && result.onWire };
  } catch (e) {
    const unreachable = e instanceof GatewayUnreachableError;
    const why = unreachable ? "unreachable" : "call failed";
    // Refused before it was sent (not in doubt): the gateway has nothing.
    const inDoubt = !unreachable || e.inDoubt;
    return {
      result: {
        kind: "failed",
        reason: `gateway ${brand.gateway.id} ${why}: ${(e as Error).message}`,
        onWire: false,
        authorizedNothing: !inDoubt,
      },
      // A client fault is in doubt too: nothing says the AuthReq did not leave.
      inDoubt,
    };
  }
}

/** The order's new state, the PRes payload and the authorization record for a definite answer. */
function outcomeOf(
  asked: Asked,
  result: AuthorizationResult,
  date: Date,
): { state: OrderState; payload: schema.PResPayload; authorization: Authorization; detail: string } {
  const base: Authorization = { authRRPID: toHex(asked.authRRPID), gateway: asked.brand.gateway.id };
  if (result.kind === "failed") {
    const payload: schema.PResPayload = { completionCode: "orderReceived" };
    return {
      state: "authorizationFailed",
      payload,
      detail: result.reason,
      authorization: {
        ...base,
        completionCode: "orderReceived",
        failure: result.reason,
        ...(result.authorizedNothing ? { authorizedNothing: true } : {}),
      },
    };
  }
  const header = result.data.authResPayload.authHeader;
  const acqCardMsg = result.baggage.acqCardMsg;
  const approvalCode = header.responseData.authValCodes?.approvalCode;
  const authorization: Authorization = {
    ...base,
    authCode: header.authCode,
    authAmt: header.authAmt,
    authDate: date.toISOString(),
    ...(approvalCode ? { approvalCode } : {}),
  };
  if (result.kind === "partial") {
    // SET's answer for an issuer that approved less than asked: the PRes says the authorization was
    // performed and AuthStatus.AuthAmt says for how much; the order is not `authorized`, so nothing
    // treats it as paid in full.
    const payload: schema.PResPayload = {
      completionCode: "authorizationPerformed",
      results: {
        ...(acqCardMsg ? { acqCardMsg } : {}),
        authStatus: { authDate: date, authAmt: header.authAmt },
      },
    };
    return {
      state: "partiallyAuthorized",
      payload,
      detail: `partially approved: AuthAmt ${header.authAmt.amount}e${header.authAmt.amtExp10}, less than the amount asked`,
      authorization: { ...authorization, completionCode: payload.completionCode },
    };
  }
  if (result.kind === "approved") {
    const payload: schema.PResPayload = {
      completionCode: "authorizationPerformed",
      results: {
        ...(acqCardMsg ? { acqCardMsg } : {}),
        authStatus: { authDate: date, authAmt: header.authAmt },
      },
    };
    return {
      state: "authorized",
      payload,
      detail: `approved: AuthAmt ${header.authAmt.amount}e${header.authAmt.amtExp10}`,
      authorization: { ...authorization, completionCode: payload.completionCode },
    };
  }
  const payload: schema.PResPayload = {
    completionCode: "orderRejected",
    ...(acqCardMsg ? { results: { acqCardMsg } } : {}),
  };
  return {
    state: "declined",
    payload,
    detail:
      header.authCode === "approved"
        ? "declined: approved for AuthAmt 0, which authorizes nothing"
        : `declined: AuthCode ${header.authCode}`,
    authorization: { ...authorization, completionCode: payload.completionCode },
  };
}

const gatewayMessage = (answer: Uint8Array | undefined) => {
  const type = answer ? answerTypeOf(answer) : undefined;
  return answer && type ? [{ from: "gateway" as const, to: "merchant" as const, type, der: answer }] : [];
};

async function authorize(
  ctx: MerchantContext,
  order: Order,
  pending: Pending,
  call: CallContext,
): Promise<SetOutcome> {
  const { p, config } = ctx;
  const { transIDs } = pending;
  const reading = await askGateway(ctx, order, pending, call);
  const date = wholeSeconds(p.now());
  const decided = outcomeOf(pending, reading.result, date);
  // In doubt, the cardholder hears orderReceived now and the order waits for the gateway's word.
  const payload: schema.PResPayload = reading.inDoubt ? { completionCode: "orderReceived" } : decided.payload;
  const pResData: schema.PResData = {
    transIDs,
    rrpid: pending.oiData.rrpid,
    chall_C: pending.oiData.chall_C,
    pResPayloadSeq: [payload],
  };
  const pRes = await signPRes(p, pending.brand.signer, pResData);
  const response = wrapMessage(
    { type: "purchaseResponse", value: pRes },
    { rrpid: pending.oiData.rrpid, lid_C: transIDs.lid_C, lid_M: transIDs.lid_M, xid: transIDs.xid },
    { date, swIdent: config.swIdent },
  );
  const failure = reading.result.kind === "failed" ? reading.result.reason : "";
  await ctx.repo.commit(
    {
      orderId: order.id,
      expect: "authorizing",
      ...(reading.inDoubt
        ? {
            authorization: {
              authRRPID: toHex(pending.authRRPID),
              gateway: pending.brand.gateway.id,
              completionCode: "orderReceived",
              failure,
              inDoubt: true,
            },
          }
        : {
            transitions: [{ to: decided.state, detail: decided.detail }],
            authorization: decided.authorization,
          }),
      messages: [
        ...gatewayMessage(reading.answer),
        { from: "merchant", to: "cardholder", type: "purchaseResponse", der: response },
      ],
      idempotency: { kind: "PReq", key: pending.key, requestHash: pending.hash, response },
    },
    p.now(),
  );
  const state: OrderState = reading.inDoubt ? "authorizing" : decided.state;
  return { response, requestType: "purchaseRequest", orderId: order.id, xid: toHex(transIDs.xid), state };
}

/**
 * Settle an order whose authorization is in doubt: send its stored AuthReq again (same bytes, same
 * AuthRRPID; the gateway answers a repeat with its stored AuthRes) and record the gateway's
 * decision. The cardholder already holds a PRes (orderReceived), which stays as it is. Returns
 * the order's state afterwards (`authorizing` while the doubt remains).
 */
export async function settleInDoubt(
  ctx: MerchantContext,
  order: Order,
  call: CallContext,
): Promise<OrderState> {
  const messages = await ctx.repo.messages(order.id);
  const authReq = messages.filter((m) => m.type === "authorizationRequest").at(-1)?.der;
  if (!authReq || !order.purchase) return order.state;
  const authRRPID = schema.decodeMessage(authReq).messageHeader.rrpid;
  if (!authRRPID) return order.state;
  const asked: Asked = {
    brand: brandOf(ctx, order.purchase),
    transIDs: decodeDer(schema.TransIDs, fromHex(order.purchase.transIDs)),
    authReq,
    authRRPID,
  };
  const reading = await askGateway(ctx, order, asked, call);
  if (reading.inDoubt) return "authorizing";
  const decided = outcomeOf(asked, reading.result, wholeSeconds(ctx.p.now()));
  await ctx.repo.commit(
    {
      orderId: order.id,
      expect: "authorizing",
      transitions: [{ to: decided.state, detail: `settled after doubt: ${decided.detail}` }],
      // The cardholder was told orderReceived; that is what the record says it was sent.
      authorization: { ...decided.authorization, completionCode: "orderReceived" },
      messages: gatewayMessage(reading.answer),
    },
    ctx.p.now(),
  );
  return decided.state;
}

/** The message type of the gateway's answer, for the record ("unreadable" when it does not decode). */
function answerTypeOf(answer: Uint8Array): string {
  try {
    return schema.decodeMessage(answer).message.type;
  } catch {
    return "unreadable";
  }
}
