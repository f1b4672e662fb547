/**
 * Patent steps S32-S33: the card builds PInitReq and the mediator posts it to the merchant, whose
 * PInitRes goes on to the card in the next phase (./cardPurchase.ts). The PIN, when there is one,
 * goes in the same flight as PINIT_REQUEST (docs/card-link.md, "A flight of commands"): VERIFY_PIN,
 * then PINIT_REQUEST, one write, the answers in order; a refused PIN makes the card refuse the
 * PINIT_REQUEST too, and the PIN's refusal is the one reported. A SET Error from the merchant is
 * reported, not relayed.
 */
import { encodeCardData, INS, type Initiation } from "@setlab/protocol/relay";
import { expectOk, PurchaseStop } from "./cardAnswers";
import { pinAccepted, pinCommand } from "./cardSelection";
import type { CardAnswer, CardSession } from "./cardSession";
import type { MerchantAnswer } from "./merchantAnswer";
import { messageName } from "./merchantAnswer";
import type { MerchantChannel, MerchantReply } from "./merchantChannel";
import type { PurchaseTrace } from "./purchaseTrace";

/** Only a PInitRes goes on to the card: an Error is the merchant's refusal, anything else a fault. */
export function expectPInitRes(answer: MerchantAnswer): void {
  if (answer.type === "error")
    throw new PurchaseStop("refused", `the merchant refused the PInitReq: ${answer.error}`);
  if (answer.type !== "purchaseInitResponse")
    throw new PurchaseStop("failed", `the merchant answered the PInitReq with ${messageName(answer.type)}`);
}

/** The merchant's PInitRes, for the card; `pin` is wiped once the card has answered (or the link failed). */
export async function pInitExchange(
  card: CardSession,
  merchant: MerchantChannel,
  initiation: Initiation,
  brand: string,
  trace: PurchaseTrace,
  pin?: Uint8Array,
): Promise<MerchantReply> {
  const request = {
    ins: INS.PINIT_REQUEST,
    data: encodeCardData("PInitRequestInput", {
      brand,
      lidM: initiation.lidM,
      language: initiation.language,
    }),
  };
  let answers: CardAnswer[];
  try {
    answers = await card.flight(pin ? [pinCommand(pin), request] : [request]);
  } finally {
    pin?.fill(0);
  }
  if (pin) pinAccepted(answers[0], trace);
  const pInitReq = expectOk(INS.PINIT_REQUEST, answers[answers.length - 1]);
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
  return pInitRes;
}
