/**
 * The preliminaries on the card: SELECT tells its brand, the payment is chosen against the shop's
 * rules (before the PIN is sent), then VERIFY_PIN (alone, or as the first command of the SET
 * purchase's first flight: ./pInitExchange.ts), after which the PIN buffer is overwritten whatever
 * the answer.
 */
import { INS, type Initiation, utf8 } from "@setlab/protocol/relay";
import { expectOk, readSelect } from "./cardAnswers";
import type { CardAnswer, CardSession, FlightCommand } from "./cardSession";
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
  let answer: CardAnswer;
  try {
    answer = await card.transmit(INS.VERIFY_PIN, pin, true);
  } finally {
    pin.fill(0);
  }
  pinAccepted(answer, trace);
}

/** VERIFY_PIN as the first command of a flight: sent as sensitive. */
export const pinCommand = (pin: Uint8Array): FlightCommand => ({
  ins: INS.VERIFY_PIN,
  data: pin,
  sensitive: true,
});

/** The card's answer to VERIFY_PIN: a refusal stops the purchase (wrong PIN, blocked). */
export function pinAccepted(answer: CardAnswer, trace: PurchaseTrace): void {
  expectOk(INS.VERIFY_PIN, answer);
  trace.record({ step: "pin", from: "mediator", to: "card", message: "VERIFY_PIN", detail: "PIN accepted" });
}
