/**
 * The shop's back office during a soak: after an approved purchase it captures all of the
 * authorization, captures part of it, keeps it uncaptured, cancels it or reduces it (AuthRev),
 * captures it and refunds part (CredReq), or captures it and reverses the capture (CapRevReq),
 * while the gateway's faults still rotate. A step that got no usable answer is asked again once the
 * purchases have settled (the merchant sends its stored request bytes again). Never throws.
 */
import type { AdminAccess } from "@setlab/runtime";
import { capRevOrCredOrderAt } from "../commands/capRevOrCredOrder";
import { captureOrderAt } from "../commands/captureOrder";
import { reverseOrderAt } from "../commands/reverseOrder";
import type { MerchantOrder } from "./reconcile";

export type BackOfficeStep =
  | "capture"
  | "capturePart"
  | "keep"
  | "cancel"
  | "reduce"
  | "refundPart"
  | "reverseCapture";

/** In this order: a short soak (ten purchases) meets the first five. */
export const backOfficeSteps: readonly BackOfficeStep[] = [
  "capture",
  "refundPart",
  "cancel",
  "reverseCapture",
  "reduce",
  "capturePart",
  "keep",
];

/** Every soak order is 2 JPY, so a part capture or a reduction (to 1 JPY) is less than the purchase amount. */
export const soakOrderAmount = 2;

/**
 * The step of the purchase with this index, when purchases take `cards` cards in turn: the steps
 * turn with the purchases and shift by one each round of cards, so every card meets every step and
 * a short soak meets them all.
 */
export function backOfficeStep(index: number, cards: number): BackOfficeStep {
  return backOfficeSteps[((index % cards) + Math.floor(index / cards)) % backOfficeSteps.length];
}

const holding = ["authorized", "partiallyAuthorized"];

/** Is the step done for this order? (An order not authorized to begin with has nothing to do.) */
export function stepDone(step: BackOfficeStep, order: MerchantOrder | undefined): boolean {
  if (!order || step === "keep") return true;
  switch (step) {
    case "refundPart":
      return !holding.includes(order.state) && order.state !== "captured";
    case "reverseCapture":
      return !holding.includes(order.state) && order.state !== "captured";
    case "capture":
      return !holding.includes(order.state) || order.state === "captured";
    case "capturePart":
      return !holding.includes(order.state);
    case "cancel":
      return !holding.includes(order.state);
    case "reduce":
      return !holding.includes(order.state) || order.authorization?.authAmt?.amount === 1;
  }
}

/** Runs the step on the order through the merchant's admin routes; the failure's first line, if any. */
export async function runBackOfficeStep(
  merchantAdmin: AdminAccess,
  orderId: string,
  step: BackOfficeStep,
): Promise<string | undefined> {
  try {
    if (step === "capture") await captureOrderAt(merchantAdmin, orderId);
    else if (step === "capturePart") await captureOrderAt(merchantAdmin, orderId, "1");
    else if (step === "cancel") await reverseOrderAt(merchantAdmin, orderId);
    else if (step === "reduce") await reverseOrderAt(merchantAdmin, orderId, "1");
    else if (step === "refundPart" || step === "reverseCapture") {
      // Captured first (refused with 409 when it already is), then credited or reversed.
      await captureOrderAt(merchantAdmin, orderId).catch(() => undefined);
      if (step === "refundPart") await capRevOrCredOrderAt(merchantAdmin, "refund", orderId, { amount: "1" });
      else await capRevOrCredOrderAt(merchantAdmin, "reverse-capture", orderId);
    }
    return undefined;
  } catch (e) {
    return (e as Error).message.split("\n")[0];
  }
}

/** The state each step leaves an order authorized in full in. */
export const stateAfter: Readonly<Record<BackOfficeStep, string>> = {
  capture: "captured",
  capturePart: "partiallyCaptured",
  keep: "authorized",
  cancel: "reversed",
  reduce: "authorized",
  refundPart: "partiallyRefunded",
  reverseCapture: "captureReversed",
};
