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
  readEmbodiment,
  receiveE1InfoInit,
  receiveE1InfoRes,
  SetError,
  toHex,
  wholeSeconds,
} from "@setlab/protocol";
import { authorizeCardInfo, openedCardInfo } from "./cardInfoAuthorization";
import type { CallContext, MerchantContext, SetOutcome } from "./context";
import type { E1Requests } from "./e1Requests";
import { answerE2CardHello, answerE2CardInfo, answerE2Init, type E2Request } from "./embodiment2Handler";
import { recordEmbodimentOpening } from "./embodimentOpening";
import { acceptedBrands } from "./merchantConfig";
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
  return authorizeCardInfo(
    ctx,
    issued,
    openedCardInfo(received, "E1InfoRes (embodiment 1)"),
    "e1InfoRes",
    call,
  );
}
