/**
 * The merchant's side of the patent's second embodiment (docs/purchase-flow.md, "Embodiment 2"):
 * E2Init -> E2MerchantHello (its certificate first), E2CardHello -> E2SessionKey (a session key to
 * the card's key, the order under it), E2CardInfo (the card information under the session key,
 * sent once the buyer confirmed on the PC) -> the first embodiment's authorization -> E1Result.
 * The order the buyer confirms never comes back to the merchant: the PC keeps it (non-forward).
 */
import {
  type readEmbodiment,
  receiveE2CardHello,
  receiveE2CardInfo,
  receiveE2CardInfoForCardCompany,
  receiveE2Init,
  SetError,
  sealE2SessionKey,
  signE2MerchantHello,
  toHex,
  wholeSeconds,
} from "@setlab/protocol";
import { authorizeCardInfo, type CardInfoForGateway, openedCardInfo } from "./cardInfoAuthorization";
import type { CallContext, MerchantContext, SetOutcome } from "./context";
import type { E1Request, E1Requests } from "./e1Requests";
import { recordEmbodimentOpening } from "./embodimentOpening";
import { isPayable } from "./purchaseAttempts";

/** What the merchant keeps of an open embodiment 2 exchange (memory only, as E1Requests). */
export interface E2Request extends E1Request {
  /** Set once the card's hello was checked and the session key sent. */
  readonly keySent?: {
    readonly sessionKey: Uint8Array;
    readonly cardholderCertificate: Uint8Array;
    readonly cardholderName?: string;
    readonly chall_C: Uint8Array;
    /** The card information was asked sealed to the gateway (claims 7-8, card-company option). */
    readonly cardCompany: boolean;
  };
}

type Wrapper = ReturnType<typeof readEmbodiment>;

export async function answerE2Init(
  ctx: MerchantContext,
  requests: E1Requests<E2Request>,
  bytes: Uint8Array,
  wrapper: Wrapper,
): Promise<SetOutcome> {
  const { p, config } = ctx;
  const init = receiveE2Init(wrapper, { now: p.now(), maxClockSkewMs: config.maxClockSkewMs });
  const order = await ctx.repo.orderByLidM(Buffer.from(init.lid_M).toString("utf8"));
  if (!order) throw new SetError("unknownLID", "no order has this LID-M", "E2Init.lid-M");
  if (order.profile !== "embodiment-2")
    throw new SetError("messageNotSupported", "this order is not paid under embodiment 2", "E2Init.lid-M");
  if (!isPayable(order))
    throw new SetError("unspecifiedFailure", `the order is already ${order.state}`, "E2Init.lid-M");
  // The shop proves itself before the card says anything, so it signs for one brand: the order's,
  // else its first.
  const brand = config.brands.find((b) => order.brand === undefined || b.brandID === order.brand);
  if (!brand) throw new SetError("unspecifiedFailure", "no brand for this order", "E2Init.lid-M");
  const xid = p.random(20);
  const chall_M = p.random(20);
  const date = wholeSeconds(p.now());
  const brands = [brand.brandID];
  const response = await signE2MerchantHello(
    p,
    brand.signer,
    { lid_M: init.lid_M, xid, chall_M, purchAmt: order.purchAmt, brands },
    date,
  );
  return recordEmbodimentOpening(ctx, requests, {
    embodiment: 2,
    order,
    opening: { type: "e2Init", der: bytes },
    answer: { type: "e2MerchantHello", der: response },
    detail: `E2MerchantHello sent (embodiment 2), XID ${toHex(xid)}`,
    request: { lid_M: init.lid_M, xid, chall_M, brands },
    date,
  });
}

export async function answerE2CardHello(
  ctx: MerchantContext,
  requests: E1Requests<E2Request>,
  wrapper: Wrapper,
): Promise<SetOutcome> {
  const { p, config } = ctx;
  const received = await receiveE2CardHello(
    p,
    wrapper,
    async (xid) => {
      const open = requests.find(xid, p.now().getTime());
      return open?.embodiment === 2 && !open.keySent ? open : undefined;
    },
    { trust: { ...config.trust, at: p.now() }, now: p.now(), maxClockSkewMs: config.maxClockSkewMs },
  );
  const open = requests.find(received.data.xid, p.now().getTime());
  if (!open || open.keySent)
    throw new SetError("unknownXID", "the hello was answered already", "E2CardHelloData.xid");
  const order = await ctx.repo.order(open.orderId);
  if (!order || order.xid !== toHex(open.xid) || order.state !== "initiated")
    throw new SetError("unknownXID", "the order no longer waits for this hello", "E2CardHelloData.xid");
  const brand = config.brands.find((b) => b.brandID === open.brands[0]);
  if (!brand) throw new SetError("unspecifiedFailure", "no brand for this order", "E2CardHello");
  const cardCompany = config.embodiment2CardInfo === "cardCompany";
  const { message: response, sessionKey } = await sealE2SessionKey(
    p,
    brand.signer,
    received.data.cardKey,
    { xid: open.xid, chall_C: received.data.chall_C },
    { od: new TextEncoder().encode(order.description), purchAmt: order.purchAmt },
    p.now(),
    cardCompany ? [brand.gateway.certificate, ...(brand.gateway.chain ?? [])] : undefined,
  );
  requests.issue({
    ...open,
    keySent: {
      sessionKey,
      cardholderCertificate: received.cardholder.der,
      cardholderName: received.cardholder.commonName,
      chall_C: received.data.chall_C,
      cardCompany,
    },
  });
  // The session key is not stored: it lives in memory with the open exchange.
  await ctx.repo.commit(
    {
      orderId: order.id,
      messages: [{ from: "merchant", to: "cardholder", type: "e2SessionKey", der: response }],
    },
    p.now(),
  );
  return {
    response,
    requestType: "e2CardHello",
    orderId: order.id,
    xid: toHex(open.xid),
    state: order.state,
  };
}

export async function answerE2CardInfo(
  ctx: MerchantContext,
  requests: E1Requests<E2Request>,
  wrapper: Wrapper,
  call: CallContext,
): Promise<SetOutcome> {
  const { p, config } = ctx;
  if (wrapper.message.type !== "e2CardInfo")
    throw new SetError("messageNotSupported", "expected E2CardInfo", "EmbodimentWrapper.message");
  // The routing XID finds the session key; the signed XID inside must be the same.
  const open = requests.find(wrapper.message.value.xid, p.now().getTime());
  if (!open?.keySent)
    throw new SetError("unknownXID", "no session key was sent under this XID", "E2CardInfo.xid");
  const { keySent } = open;
  // The card-company option: sealed to the gateway, nothing here can be opened; the gateway checks
  // the card's signature, certificate, XID and amount (receiveE1AuthReq).
  const card: CardInfoForGateway = keySent.cardCompany
    ? {
        brandID: open.brands[0],
        chall_C: keySent.chall_C,
        ...(keySent.cardholderName ? { cardholderName: keySent.cardholderName } : {}),
        cardInfo: {
          type: "sealedToGateway",
          value: receiveE2CardInfoForCardCompany(wrapper, {
            now: p.now(),
            maxClockSkewMs: config.maxClockSkewMs,
          }).sealedToGateway,
        },
        detail: `E2CardInfo sealed to the card company, forwarded unopened: cardholder ${keySent.cardholderName ?? "?"}`,
      }
    : openedCardInfo(
        await receiveE2CardInfo(
          p,
          wrapper,
          keySent.sessionKey,
          { ...open, cardholderCertificate: keySent.cardholderCertificate },
          { trust: { ...config.trust, at: p.now() }, now: p.now(), maxClockSkewMs: config.maxClockSkewMs },
        ),
        "E2CardInfo (embodiment 2)",
      );
  const issued = requests.take(open.xid, p.now().getTime());
  if (!issued)
    throw new SetError("unknownXID", "the card information was answered already", "E2CardInfo.xid");
  issued.keySent?.sessionKey.fill(0);
  return authorizeCardInfo(ctx, issued, card, "e2CardInfo", call);
}
