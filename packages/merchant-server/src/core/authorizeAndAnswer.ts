/**
 * The authorization of a taken PReq and the cardholder's answer (patent steps S43-S54): the gateway
 * asked, its answer judged, the PRes signed, and the order's new state, the gateway's message, the
 * PRes and the idempotency record committed in one write before the PRes leaves. In doubt, the
 * cardholder hears orderReceived and the order stays `authorizing` until it is settled.
 */
import { type schema, signPRes, toHex, wholeSeconds, wrapMessage } from "@setlab/protocol";
import { askGateway } from "./askGateway";
import { outcomeOf } from "./authorizationOutcome";
import type { CallContext, MerchantContext, SetOutcome } from "./context";
import { gatewayMessage } from "./gatewayMessage";
import type { BrandConfig } from "./merchantConfig";
import type { Order } from "./order";
import type { OrderState } from "./orderState";

/** A taken PReq whose AuthReq is stored: what asking the gateway and answering the cardholder need. */
export interface Pending {
  readonly brand: BrandConfig;
  readonly transIDs: schema.TransIDs;
  readonly oiData: schema.OIData;
  readonly authReq: Uint8Array;
  readonly authRRPID: Uint8Array;
  /** DER (hex) of the AuthReqData, kept with the authorization for a later AuthRevReq. */
  readonly authReqData?: string;
  readonly key: string;
  readonly hash: string;
}

export async function authorize(
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
              ...(pending.authReqData ? { authReqData: pending.authReqData } : {}),
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
