/**
 * Both embodiments end the same way once the merchant holds checked card information: E1AuthReq
 * to the brand's gateway, its E1AuthRes, the order's new state and the signed E1Result for the card.
 */
import {
  type ReceivedE1InfoRes,
  RemoteSetError,
  receiveE1AuthRes,
  SetError,
  type schema,
  sealE1AuthReq,
  signE1Result,
  toHex,
} from "@setlab/protocol";
import type { CallContext, MerchantContext, SetOutcome } from "./context";
import type { E1Request } from "./e1Requests";
import { GatewayUnreachableError } from "./gatewayClient";
import type { BrandConfig } from "./merchantConfig";
import type { OrderState } from "./orderState";

/** What the merchant forwards to the gateway, and what it knows of the card to route and answer. */
export interface CardInfoForGateway {
  readonly brandID: string;
  /** The PAN, when the merchant opened the card information (the brand's BINs are checked on it). */
  readonly pan?: string;
  /** The card's challenge, which E1Result echoes. */
  readonly chall_C: Uint8Array;
  readonly cardholderName?: string;
  readonly cardInfo: schema.E1AuthCardInfo;
  /** The order's transition detail: what was checked. */
  readonly detail: string;
}

/** Card information the merchant opened and checked (the first embodiment, the second's session-key option). */
export function openedCardInfo(received: ReceivedE1InfoRes, what: string): CardInfoForGateway {
  return {
    brandID: received.info.brandID,
    pan: received.info.pan,
    chall_C: received.info.chall_C,
    cardholderName: received.cardholder.commonName,
    cardInfo: { type: "signed", value: received.signedCardInfo },
    detail: `${what} verified: cardholder ${received.cardholder.commonName ?? "?"}`,
  };
}

/**
 * The card information checked (or, under the card-company option, sealed for the gateway): the
 * order must still wait for it; then E1AuthReq to the brand's gateway, its answer, the order's new
 * state and the signed E1Result for the card. Both embodiments end this way.
 */
export async function authorizeCardInfo(
  ctx: MerchantContext,
  issued: E1Request,
  card: CardInfoForGateway,
  requestType: string,
  call: CallContext,
): Promise<SetOutcome> {
  const { p, config } = ctx;
  const order = await ctx.repo.order(issued.orderId);
  // A later E1InfoInit gave the order another XID, or it moved on: this answer is for no open request.
  if (!order || order.xid !== toHex(issued.xid) || order.state !== "initiated")
    throw new SetError("unknownXID", "the order no longer waits for this answer", "E1CardInfo.xid");
  // Sealed for the gateway, the PAN is unknown here: the brand alone chooses the gateway.
  const { pan } = card;
  const brand = config.brands.find(
    (b) =>
      b.brandID === card.brandID &&
      (b.bins === undefined || pan === undefined || b.bins.some((x) => pan.startsWith(x))),
  );
  if (!brand)
    throw new SetError("unspecifiedFailure", "no gateway for this brand and BIN", "E1CardInfo.brandID");

  const authRRPID = p.random(20);
  const authReq = await sealE1AuthReq(
    p,
    brand.signer,
    brand.gateway.certificate,
    { authRRPID, xid: issued.xid, purchAmt: issued.purchAmt, cardInfo: card.cardInfo },
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
          detail: card.detail,
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
    { xid: issued.xid, chall_C: card.chall_C, completionCode, ...(authAmt ? { authAmt } : {}) },
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
