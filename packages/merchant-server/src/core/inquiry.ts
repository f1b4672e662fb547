/**
 * InqReq -> InqRes (digest 3.6): a cardholder told `orderReceived` (or anything else) asks for its
 * purchase's state, and gets it signed. `receiveInqReq` decides who may ask: only the purchase's
 * payer (the cardholder certificate that signed its PReq, or for an unsigned PReq the inquiry
 * proof keyed with its Chall-C); everyone else gets the same unknownXID as for an XID never issued,
 * and nothing is recorded on the order. The answer is read from the store alone: an inquiry never
 * makes the merchant call the gateway (the in-doubt settling does that on its own schedule), so it
 * costs what a PInitReq costs, one verification and one signature, within the listener's limits.
 *
 * Idempotency: the InqReq's RRPID keys the stored InqRes. The same InqReq again gets the same
 * answer, so a replayed InqReq (an eavesdropper's copy) shows nothing newer than what its sender
 * already saw; another InqReq under the RRPID is unknownRRPID.
 */
import {
  decodeDer,
  fromHex,
  type InquiredPurchase,
  type ReadMessage,
  receiveInqReq,
  SetError,
  schema,
  signInqRes,
  toHex,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import type { MerchantContext, SetOutcome } from "./context";
import { inquiryPayloads } from "./inquiryPayload";
import { unsignedPayer } from "./purchaseAttempts";
import { brandOf } from "./purchaseBrand";

/** The purchase a PReq took under this XID, as receiveInqReq matches an inquiry against it. */
async function takenPurchase(ctx: MerchantContext, xidHex: string): Promise<InquiredPurchase | undefined> {
  const issued = await ctx.repo.issuedPurchase(xidHex);
  if (issued?.takenBy === undefined) return undefined;
  return {
    transIDs: decodeDer(schema.TransIDs, fromHex(issued.purchase.transIDs)),
    chall_C: fromHex(issued.purchase.chall_C),
    ...(issued.takenBy !== unsignedPayer ? { cardholder: issued.takenBy } : {}),
  };
}

export async function handleInqReq(ctx: MerchantContext, read: ReadMessage): Promise<SetOutcome> {
  const { p, config } = ctx;
  const now = p.now();
  const received = await receiveInqReq(p, read, {
    trust: { ...config.trust, at: now },
    now,
    maxClockSkewMs: config.maxClockSkewMs,
    understoodExtensions: config.understoodExtensions,
    answered: {
      fingerprintOf: async (rrpid) => (await ctx.repo.idempotency("InqReq", toHex(rrpid)))?.requestHash,
    },
    purchaseOf: (xidHex) => takenPurchase(ctx, xidHex),
  });
  const key = toHex(received.data.rrpid);
  const xidHex = toHex(received.data.transIDs.xid);
  if (received.repeat) {
    const stored = await ctx.repo.idempotency("InqReq", key);
    if (!stored?.response)
      throw new SetError("unspecifiedFailure", "the earlier InqReq left no answer", "InqReqData.rrpid");
    const order = await ctx.repo.order(stored.orderId);
    return {
      response: stored.response,
      requestType: "inquiryRequest",
      orderId: stored.orderId,
      xid: xidHex,
      ...(order ? { state: order.state } : {}),
      replayed: true,
    };
  }
  const issued = await ctx.repo.issuedPurchase(xidHex);
  const order = issued && (await ctx.repo.order(issued.orderId));
  if (!issued || !order) throw new SetError("unknownXID", "no order has this XID", "InqReqData.transIDs.xid");
  const { transIDs } = received.purchase;
  const pResData: schema.PResData = {
    transIDs,
    rrpid: received.data.rrpid,
    chall_C: received.data.chall_C2,
    pResPayloadSeq: inquiryPayloads(order, xidHex),
  };
  const inqRes = await signInqRes(p, brandOf(ctx, issued.purchase).signer, pResData);
  const response = wrapMessage(
    { type: "inquiryResponse", value: inqRes },
    { rrpid: received.data.rrpid, lid_C: transIDs.lid_C, lid_M: transIDs.lid_M, xid: transIDs.xid },
    { date: wholeSeconds(now), swIdent: config.swIdent },
  );
  await ctx.repo.commit(
    {
      orderId: order.id,
      messages: [
        { from: "cardholder", to: "merchant", type: "inquiryRequest", der: read.bytes },
        { from: "merchant", to: "cardholder", type: "inquiryResponse", der: response },
      ],
      idempotency: { kind: "InqReq", key, requestHash: received.fingerprint, response },
    },
    now,
  );
  return { response, requestType: "inquiryRequest", orderId: order.id, xid: xidHex, state: order.state };
}
