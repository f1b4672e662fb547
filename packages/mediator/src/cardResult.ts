/**
 * Patent steps S55-S56: the merchant's answer to the PReq goes to the card, which checks the PRes
 * and reads the outcome (or the SET Error) for the user.
 */
import { INS, type schema } from "@setlab/protocol/relay";
import { completionOf, type PResAnswer, PurchaseStop, readPResAnswer } from "./cardAnswers";
import type { CardSession } from "./cardSession";
import type { MerchantAnswer } from "./merchantAnswer";
import { messageName } from "./merchantAnswer";
import type { MerchantReply } from "./merchantChannel";
import type { Outcome } from "./outcome";
import type { PurchaseTrace } from "./purchaseTrace";

/**
 * The outcome of a purchase whose PRes the card read: a merchant Error (as the wrapper or as the
 * card read it) is a refusal; otherwise the CompletionCode and the amount the PRes states.
 */
export function purchaseResult(
  merchant: MerchantAnswer,
  answer: PResAnswer,
  purchAmt: schema.CurrencyAmount,
): Pick<Outcome, "outcome" | "completionCode" | "amount" | "reason"> {
  if (merchant.type === "error" || answer.error !== undefined)
    throw new PurchaseStop(
      "refused",
      `the merchant refused the PReq: ${answer.error ?? merchant.error ?? "SET Error"}`,
    );
  return {
    outcome: completionOf(answer, purchAmt),
    completionCode: answer.completionCode,
    amount: answer.authAmt ?? purchAmt,
    reason: answer.error,
  };
}

export async function cardResult(
  card: CardSession,
  pRes: MerchantReply,
  purchAmt: schema.CurrencyAmount,
  trace: PurchaseTrace,
): Promise<ReturnType<typeof purchaseResult>> {
  const answer = readPResAnswer(await card.command(INS.PURCHASE_RESPONSE, pRes.bytes));
  trace.record({
    step: "S55-S56",
    from: "mediator",
    to: "card",
    message: messageName(pRes.answer.type),
    bytes: pRes.bytes.length,
    detail: answer.error ?? answer.completionCode,
  });
  return purchaseResult(pRes.answer, answer, purchAmt);
}
