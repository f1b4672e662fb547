/**
 * Patent steps S32-S35: the card builds PInitReq, the mediator posts it to the merchant, and the
 * merchant's PInitRes goes to the card, which checks it (chain, roles, thumbs, Chall-C, LID-C).
 * A SET Error from the merchant is reported, not relayed.
 */
import { encodeCardData, INS, type Initiation } from "@setlab/protocol/relay";
import { PurchaseStop, readPInitResAnswer } from "./cardAnswers";
import type { CardSession } from "./cardSession";
import type { MerchantAnswer } from "./merchantAnswer";
import { messageName } from "./merchantAnswer";
import type { MerchantChannel } from "./merchantChannel";
import type { PurchaseTrace } from "./purchaseTrace";

/** Only a PInitRes goes on to the card: an Error is the merchant's refusal, anything else a fault. */
export function expectPInitRes(answer: MerchantAnswer): void {
  if (answer.type === "error")
    throw new PurchaseStop("refused", `the merchant refused the PInitReq: ${answer.error}`);
  if (answer.type !== "purchaseInitResponse")
    throw new PurchaseStop("failed", `the merchant answered the PInitReq with ${messageName(answer.type)}`);
}

export async function pInitExchange(
  card: CardSession,
  merchant: MerchantChannel,
  initiation: Initiation,
  brand: string,
  trace: PurchaseTrace,
): Promise<void> {
  const pInitReq = await card.command(
    INS.PINIT_REQUEST,
    encodeCardData("PInitRequestInput", { brand, lidM: initiation.lidM, language: initiation.language }),
  );
  trace.record({ step: "S32", from: "card", to: "mediator", message: "PInitReq", bytes: pInitReq.length });
  trace.record({
    step: "S32",
    from: "mediator",
    to: "merchant",
    message: "PInitReq",
    bytes: pInitReq.length,
  });
  const pInitRes = await merchant(pInitReq, "PInitReq");
  trace.record({
    step: "S33",
    from: "merchant",
    to: "mediator",
    message: messageName(pInitRes.answer.type),
    bytes: pInitRes.bytes.length,
    detail: pInitRes.answer.error,
  });
  expectPInitRes(pInitRes.answer);
  trace.facts.xid = pInitRes.answer.xid;

  const accepted = readPInitResAnswer(await card.command(INS.PINIT_RESPONSE, pInitRes.bytes));
  trace.facts.xid ??= accepted.xid;
  trace.facts.merchant = { name: accepted.merchantName, merID: accepted.merID };
  trace.record({
    step: "S34-S35",
    from: "mediator",
    to: "card",
    message: "PInitRes",
    bytes: pInitRes.bytes.length,
    detail: `accepted: merchant ${accepted.merchantName ?? accepted.merID ?? "?"}${accepted.gateway ? `, gateway ${accepted.gateway}` : ""}`,
  });
}
