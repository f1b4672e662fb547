/**
 * The native host's inquiry (SET's InqReq/InqRes, as `set-mediator inquire` runs it): started from
 * a shop's order page, the card on the phone asks the shop how the purchase with that XID ended,
 * the mediator relays, and the card checks the shop's signed answer. What the panel then shows is
 * the card's verified reading, not the page's: the shop's page may say anything, the card accepts
 * only an InqRes signed by the purchase's merchant, answering this inquiry's challenge, with a
 * status within the purchase amount. The authorization rules are the merchant's
 * (`receiveInqReq`: the sender must be the purchase's payer) and the card's (it asks only about
 * purchases it remembers).
 */
import type { Initiation } from "@setlab/protocol/relay";
import { runInquiry } from "./inquiry";
import type { CardAccess, Outcome, Step } from "./mediator";
import { type NativeHostOptions, outcomeFields } from "./nativeHost";
import type { OutcomeMessage, ProgressMessage } from "./nativeHostProtocol";

/** What the buyer sees of each step of an inquiry; undefined for steps not shown. */
export function inquiryProgress(step: Step): ProgressMessage | undefined {
  const text =
    step.step === "pair" || step.step === "resume"
      ? "Connected to your phone."
      : step.step === "pin"
        ? "PIN accepted."
        : step.step === "inquiry" && step.from === "card"
          ? "Your card asks the shop how the order ended."
          : step.step === "inquiry"
            ? "Your card is checking the shop's signed answer."
            : undefined;
  return text === undefined ? undefined : { type: "progress", step: step.step, text };
}

/** Runs the card's inquiry about the purchase `xid` at the initiation object's SET URL. */
export async function askCard(r: {
  initiation: Initiation;
  xid: string;
  card: CardAccess;
  options: NativeHostOptions;
  progress: (step: Step) => void;
}): Promise<OutcomeMessage> {
  const { options } = r;
  const outcome = await runInquiry({
    setUrl: r.initiation.setUrl,
    card: r.card,
    xid: new Uint8Array(Buffer.from(r.xid, "hex")),
    onStep: r.progress,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  });
  return inquiryOutcomeMessage(outcome, r.initiation);
}

/** The card's verified answer as the buyer reads it. */
export function inquiryOutcomeMessage(o: Outcome, initiation: Initiation): OutcomeMessage {
  const base = outcomeFields(o, initiation);
  const { amount } = base;
  const code = o.completionCode ? ` (${o.completionCode})` : "";
  const checked = "Your card checked the shop's signed answer";
  switch (o.outcome) {
    case "approved":
      return { ...base, message: `${checked}: paid, ${amount}${code}.` };
    case "partiallyApproved":
      return { ...base, message: `${checked}: ${amount} approved, less than the order's total${code}.` };
    case "declined":
      return { ...base, message: `${checked}: not paid${code}.` };
    case "orderReceived":
      return { ...base, message: `${checked}: the shop has no answer from your card company yet${code}.` };
    case "refused":
      return { ...base, message: `No verified answer: ${o.reason ?? "refused"}.` };
    default:
      return { ...base, message: `The question could not be completed: ${o.reason ?? "a fault"}.` };
  }
}
