/**
 * The merchant's side of the patent's first embodiment (docs/purchase-flow.md, "Embodiment 1"):
 * E1InfoInit -> E1InfoReq, then E1InfoRes -> (E1AuthReq to the gateway, E1AuthRes back) ->
 * E1Result. The card's answer carries the PAN in the clear: the merchant uses it for the
 * authorization and keeps none of it (the card's message is not stored, nor logged).
 */
import {
  buildE1InfoReq,
  embodimentRefusal,
  isEmbodimentRefusal,
  type ReceivedE1InfoRes,
  RemoteSetError,
  readEmbodiment,
  receiveE1AuthRes,
  receiveE1InfoInit,
  receiveE1InfoRes,
  SetError,
  type schema,
  sealE1AuthReq,
  signE1Result,
  toHex,
  wholeSeconds,
} from "@setlab/protocol";
import type { CallContext, MerchantContext, SetOutcome } from "./context";
import type { E1Request, E1Requests } from "./e1Requests";
import { answerE2CardHello, answerE2CardInfo, answerE2Init, type E2Request } from "./embodiment2Handler";
import { recordEmbodimentOpening } from "./embodimentOpening";
import { GatewayUnreachableError } from "./gatewayClient";
import { acceptedBrands, type BrandConfig } from "./merchantConfig";
import type { OrderState } from "./orderState";
import { isPayable } from "./purchaseAttempts";

/** Answer one embodiment message. Never throws; a refusal is never answered. */
export async function handleEmbodiment1(
  ctx: MerchantContext,
  requests: E1Requests<E2Request>,
  bytes: Uint8Array,
  call: CallContext,
): Promise<SetOutcome> {
  const { p } = ctx;
  if (isEmbodimentRefusal(bytes))
    return {
      response: new Uint8Array(0),
      requestType: "error",
      error: { code: "refused", message: "the peer refused" },
    };
  let type: string | undefined;
  try {
    const wrapper = readEmbodiment(bytes);
    type = wrapper.message.type;
    if (wrapper.message.type === "e1InfoInit") return await answerInfoInit(ctx, requests, bytes, wrapper);
    if (wrapper.message.type === "e1InfoRes") return await answerInfoRes(ctx, requests, wrapper, call);
    if (wrapper.message.type === "e2Init") return await answerE2Init(ctx, requests, bytes, wrapper);
    if (wrapper.message.type === "e2CardHello") return await answerE2CardHello(ctx, requests, wrapper);
    if (wrapper.message.type === "e2CardInfo") return await answerE2CardInfo(ctx, requests, wrapper, call);
    throw new SetError(
      "messageNotSupported",
      `a merchant does not take ${type}`,
      "EmbodimentWrapper.message",
    );
  } catch (e) {
    const failure =
      e instanceof SetError
        ? e
        : new SetError("unspecifiedFailure", "the merchant could not process the message");
    return {
      response: embodimentRefusal(failure, p.now()),
      ...(type ? { requestType: type } : {}),
      error: { code: failure.code, message: failure.message },
    };
  }
}

async function answerInfoInit(
  ctx: MerchantContext,
  requests: E1Requests,
  bytes: Uint8Array,
  wrapper: ReturnType<typeof readEmbodiment>,
): Promise<SetOutcome> {
  const { p, config } = ctx;
  const init = receiveE1InfoInit(wrapper, { now: p.now(), maxClockSkewMs: config.maxClockSkewMs });
  const lidM = Buffer.from(init.lid_M).toString("utf8");
  const order = await ctx.repo.orderByLidM(lidM);
  if (!order) throw new SetError("unknownLID", "no order has this LID-M", "E1InfoInit.lid-M");
  if (order.profile !== "embodiment-1")
    throw new SetError(
      "messageNotSupported",
      "this order is not paid under embodiment 1",
      "E1InfoInit.lid-M",
    );
  // Unauthenticated, like a PInitReq: it never moves an order past `initiated`, and it is taken
  // while the order is payable (purchaseAttempts.ts: after a decline too).
  if (!isPayable(order))
    throw new SetError("unspecifiedFailure", `the order is already ${order.state}`, "E1InfoInit.lid-M");
  const brands = acceptedBrands(config).filter((b) => order.brand === undefined || b === order.brand);
  const xid = p.random(20);
  const chall_M = p.random(20);
  const date = wholeSeconds(p.now());
  const response = buildE1InfoReq(
    { lid_M: init.lid_M, xid, chall_M, purchAmt: order.purchAmt, brands },
    date,
  );
  return recordEmbodimentOpening(ctx, requests, {
    embodiment: 1,
    order,
    opening: { type: "e1InfoInit", der: bytes },
    answer: { type: "e1InfoReq", der: response },
    detail: `E1InfoReq sent (embodiment 1), XID ${toHex(xid)}${order.xid ? ` (replaces XID ${order.xid})` : ""}`,
    request: { lid_M: init.lid_M, xid, chall_M, brands },
    date,
  });
}

async function answerInfoRes(
  ctx: MerchantContext,
  requests: E1Requests,
  wrapper: ReturnType<typeof readEmbodiment>,
  call: CallContext,
): Promise<SetOutcome> {
  const { p, config } = ctx;
  const received = await receiveE1InfoRes(
    p,
    wrapper,
    async (xid) => {
      const open = requests.find(xid, p.now().getTime());
      return open?.embodiment === 1 ? open : undefined;
    },
    {
      trust: { ...config.trust, at: p.now() },
      now: p.now(),
      maxClockSkewMs: config.maxClockSkewMs,
    },
  );
  // Checked whole: now the request is answered, once.
  const issued = requests.take(received.info.xid, p.now().getTime());
  if (issued?.embodiment !== 1)
    throw new SetError("unknownXID", "the request was answered already", "E1CardInfo.xid");
  return authorizeCardInfo(ctx, issued, received, "e1InfoRes", call);
}

/**
 * The card information checked: the order must still wait for it; then E1AuthReq to the brand's
 * gateway, its answer, the order's new state and the signed E1Result for the card. The second
 * embodiment ends the same way once it has opened the card information.
 */
export async function authorizeCardInfo(
  ctx: MerchantContext,
  issued: E1Request,
  received: ReceivedE1InfoRes,
  requestType: string,
  call: CallContext,
): Promise<SetOutcome> {
  const { p, config } = ctx;
  const order = await ctx.repo.order(issued.orderId);
  // A later E1InfoInit gave the order another XID, or it moved on: this answer is for no open request.
  if (!order || order.xid !== toHex(issued.xid) || order.state !== "initiated")
    throw new SetError("unknownXID", "the order no longer waits for this answer", "E1CardInfo.xid");
  const brand = config.brands.find(
    (b) =>
      b.brandID === received.info.brandID &&
      (b.bins === undefined || b.bins.some((x) => received.info.pan.startsWith(x))),
  );
  if (!brand)
    throw new SetError("unspecifiedFailure", "no gateway for this brand and BIN", "E1CardInfo.brandID");

  const authRRPID = p.random(20);
  const authReq = await sealE1AuthReq(
    p,
    brand.signer,
    brand.gateway.certificate,
    { authRRPID, xid: issued.xid, purchAmt: issued.purchAmt, cardInfo: received.signedCardInfo },
    p.now(),
  );
  const xidHex = toHex(issued.xid);
  const authorization = { authRRPID: toHex(authRRPID), gateway: brand.gateway.id };
  await ctx.repo.commit(
    {
      orderId: order.id,
      expect: "initiated",
      transitions: [
        {
          to: "purchaseRequested",
          detail: `E1InfoRes verified (embodiment 1): cardholder ${received.cardholder.commonName ?? "?"}`,
        },
        { to: "authorizing", detail: `E1AuthReq sent to gateway ${brand.gateway.id}` },
      ],
      authorization,
      // The card's E1InfoRes holds the PAN in the clear: it is not stored. E1AuthReq is sealed to the gateway.
      messages: [{ from: "merchant", to: "gateway", type: "e1AuthReq", der: authReq }],
    },
    p.now(),
  );

  const decided = await askGateway(ctx, brand, authReq, { authRRPID, xid: issued.xid }, call);
  // A failure that may have authorized something (no answer, yet the gateway may have decided) is
  // orderReceived, as in SET; one that authorized nothing for certain leaves the order payable.
  const completionCode: schema.CompletionCode =
    decided.kind === "approved"
      ? "authorizationPerformed"
      : decided.kind === "failed" && !decided.authorizedNothing
        ? "orderReceived"
        : "orderRejected";
  const state: OrderState =
    decided.kind === "approved"
      ? "authorized"
      : decided.kind === "declined"
        ? "declined"
        : "authorizationFailed";
  const authAmt = decided.kind === "approved" ? (decided.data.authAmt ?? issued.purchAmt) : undefined;
  const response = await signE1Result(
    p,
    brand.signer,
    { xid: issued.xid, chall_C: received.info.chall_C, completionCode, ...(authAmt ? { authAmt } : {}) },
    p.now(),
  );
  await ctx.repo.commit(
    {
      orderId: order.id,
      expect: "authorizing",
      transitions: [
        {
          to: state,
          detail: decided.kind === "failed" ? decided.reason : `AuthCode ${decided.data.authCode}`,
        },
      ],
      authorization: {
        ...authorization,
        completionCode,
        ...(decided.kind !== "failed"
          ? { authCode: decided.data.authCode }
          : { failure: decided.reason, ...(decided.authorizedNothing ? { authorizedNothing: true } : {}) }),
        ...(authAmt ? { authAmt } : {}),
      },
      messages: [
        ...(decided.answer
          ? [{ from: "gateway" as const, to: "merchant" as const, type: "e1AuthRes", der: decided.answer }]
          : []),
        { from: "merchant", to: "cardholder", type: "e1Result", der: response },
      ],
    },
    p.now(),
  );
  return { response, requestType, orderId: order.id, xid: xidHex, state };
}

type Decision =
  | { kind: "approved" | "declined"; data: schema.E1AuthResData; answer: Uint8Array }
  | { kind: "failed"; reason: string; authorizedNothing: boolean; answer?: Uint8Array };

/** Never throws: no usable answer is a failed authorization, with the reason. */
async function askGateway(
  ctx: MerchantContext,
  brand: BrandConfig,
  authReq: Uint8Array,
  expected: { authRRPID: Uint8Array; xid: Uint8Array },
  call: CallContext,
): Promise<Decision> {
  const { p } = ctx;
  const read = (answer: Uint8Array) =>
    receiveE1AuthRes(
      p,
      answer,
      { ...expected, brand: brand.brandID },
      { trust: { ...ctx.config.trust, at: p.now() } },
    );
  let answer: Uint8Array;
  try {
    answer = await ctx.gateway.send(brand.gateway.id, authReq, {
      ...call,
      embodiment: true,
      accept: async (a) => {
        try {
          await read(a);
          return true;
        } catch (e) {
          return e instanceof RemoteSetError;
        }
      },
    });
  } catch (e) {
    if (e instanceof GatewayUnreachableError)
      return { kind: "failed", reason: `gateway unreachable: ${e.message}`, authorizedNothing: !e.inDoubt };
    return {
      kind: "failed",
      reason: `gateway call failed: ${(e as Error).message}`,
      authorizedNothing: false,
    };
  }
  try {
    const data = await read(answer);
    return { kind: data.authCode === "approved" ? "approved" : "declined", data, answer };
  } catch (e) {
    // The gateway's refusal decided nothing; an answer that is not its own may hide a decision.
    if (e instanceof RemoteSetError)
      return { kind: "failed", reason: `the gateway refused: ${e.code}`, authorizedNothing: true, answer };
    return {
      kind: "failed",
      reason: `E1AuthRes refused: ${(e as Error).message}`,
      authorizedNothing: false,
      answer,
    };
  }
}
