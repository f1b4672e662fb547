/**
 * The preliminaries on the card: SELECT tells its brand, the payment is chosen against the shop's
 * rules (before the PIN is sent), then VERIFY_PIN, after which the PIN buffer is overwritten
 * whatever the answer.
 */
import { INS, type Initiation, utf8 } from "@setlab/protocol/relay";
import { expectOk, readSelect } from "./cardAnswers";
import type { CardSession } from "./cardSession";
import { choosePayment, type PaymentChoice, type PReqForm } from "./paymentChoice";
import type { PurchaseTrace } from "./purchaseTrace";

export async function selectCard(
  card: CardSession,
  cardId: string,
  initiation: Initiation,
  asked: { readonly brand?: string; readonly form?: PReqForm },
  trace: PurchaseTrace,
): Promise<PaymentChoice> {
  const selected = readSelect(expectOk(INS.SELECT, await card.transmit(INS.SELECT, utf8(cardId)), cardId));
  trace.record({
    step: "select",
    from: "mediator",
    to: "card",
    message: "SELECT",
    detail: `${selected.brand} card`,
  });
  trace.facts.brand = asked.brand ?? selected.brand;
  return choosePayment(initiation, selected.brand, asked);
}

/** VERIFY_PIN with `pin`, which is wiped once the card has answered (or the link failed). */
export async function verifyPin(card: CardSession, pin: Uint8Array, trace: PurchaseTrace): Promise<void> {
  let answer: Awaited<ReturnType<CardSession["transmit"]>>;
  try {
    answer = await card.transmit(INS.VERIFY_PIN, pin, true);
  } finally {
    pin.fill(0);
  }
  expectOk(INS.VERIFY_PIN, answer);
  trace.record({ step: "pin", from: "mediator", to: "card", message: "VERIFY_PIN", detail: "PIN accepted" });
}
