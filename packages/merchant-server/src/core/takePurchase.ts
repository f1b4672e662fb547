/**
 * A PReq `receivePReq` accepted, taken (patent steps S42-S43): the cardholder's PI forwarded to the
 * gateway in an AuthReq the merchant signs, the PReq, the AuthReq and the order's move to
 * `authorizing` committed in one write before anything is sent, then the authorization asked for.
 */
import {
  encodeDer,
  SetError,
  schema,
  sealAuthReq,
  toHex,
  type VerifiedPReq,
  wholeSeconds,
  wrapMessage,
} from "@setlab/protocol";
import { authReqDataFor } from "./authorization";
import { authorize } from "./authorizeAndAnswer";
import type { CallContext, MerchantContext, SetOutcome } from "./context";
import { firstAuthReqAmt, isSplitShipment } from "./firstAuthorization";
import { checkOutstanding } from "./issuedPurchases";
import type { BrandConfig } from "./merchantConfig";
import type { IssuedPurchase, Order } from "./order";
import { checkAttemptBudget, isPayable, payerOf } from "./purchaseAttempts";

/** A PReq receivePReq accepted: forward its PI in an AuthReq, then answer with the PRes. */
export async function takePurchase(
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
  const data = authReqDataFor(
    config.merchantID,
    authRRPID,
    date,
    transIDs,
    verified,
    firstAuthReqAmt(order),
    config.captureNow === true,
    isSplitShipment(order),
  );
  const piDer = encodeDer(schema.PI, verified.pi);
  // Kept with the order: sealed to the gateway, an AuthRevReq can only return it from here.
  const dataDer = encodeDer(schema.AuthReqData, data);
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
      authorization: { authRRPID: toHex(authRRPID), gateway: brand.gateway.id, authReqData: toHex(dataDer) },
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
  return authorize(
    ctx,
    order,
    { brand, transIDs, oiData, authReq, authRRPID, authReqData: toHex(dataDer), key, hash },
    call,
  );
}
