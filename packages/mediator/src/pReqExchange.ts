/**
 * Patent steps S38-S54 as the PC sees them: the PReq goes to the merchant, which verifies it, asks
 * the gateway and answers a PRes or a SET Error; both go on to the card.
 */
import { PurchaseStop } from "./cardAnswers";
import type { MerchantAnswer } from "./merchantAnswer";
import { messageName } from "./merchantAnswer";
import type { MerchantChannel, MerchantReply } from "./merchantChannel";
import type { PurchaseTrace } from "./purchaseTrace";

/** A PRes or a SET Error is the card's to read; anything else is a fault. */
export function expectPResOrError(answer: MerchantAnswer): void {
  if (answer.type !== "purchaseResponse" && answer.type !== "error")
    throw new PurchaseStop("failed", `the merchant answered the PReq with ${messageName(answer.type)}`);
}

export async function pReqExchange(
  pReq: Uint8Array,
  merchant: MerchantChannel,
  trace: PurchaseTrace,
): Promise<MerchantReply> {
  trace.record({ step: "S38-S41", from: "mediator", to: "merchant", message: "PReq", bytes: pReq.length });
  const pRes = await merchant(pReq, "PReq");
  trace.record({
    step: "S52-S54",
    from: "merchant",
    to: "mediator",
    message: messageName(pRes.answer.type),
    bytes: pRes.bytes.length,
    detail: pRes.answer.error,
  });
  expectPResOrError(pRes.answer);
  trace.facts.xid ??= pRes.answer.xid;
  return pRes;
}
