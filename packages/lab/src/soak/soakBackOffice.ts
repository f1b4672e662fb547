/**
 * The shop's back office during a soak: after an approved purchase it captures all of the
 * authorization, captures part of it, or keeps it uncaptured, in turn by the purchase's index, while
 * the gateway's faults still rotate; a capture that got no answer is asked again once the purchases
 * have settled (the merchant sends its stored CapReq bytes again). Never throws.
 */
import type { AdminAccess } from "@setlab/runtime";
import { captureOrderAt } from "../commands/captureOrder";

export type BackOfficeStep = "capture" | "capturePart" | "keep";

/** Every soak order is 2 JPY, so a part capture (1 JPY) is less than the purchase amount. */
export const soakOrderAmount = 2;

const plan: readonly BackOfficeStep[] = ["capture", "capturePart", "keep"];

export function backOfficeStep(index: number): BackOfficeStep {
  return plan[index % plan.length];
}

/** The states a capture of this step ends in, for an order authorized in full. */
export function capturedStateOf(step: BackOfficeStep): string | undefined {
  return step === "capture" ? "captured" : step === "capturePart" ? "partiallyCaptured" : undefined;
}

/** Captures the order as the step says; the order's state afterwards, or why the call failed. */
export async function runBackOfficeStep(
  merchantAdmin: AdminAccess,
  orderId: string,
  step: BackOfficeStep,
): Promise<{ readonly state?: string; readonly failure?: string }> {
  if (step === "keep") return {};
  try {
    const order = await captureOrderAt(merchantAdmin, orderId, step === "capturePart" ? "1" : undefined);
    return {
      state: order.state,
      ...(order.authorization?.capture?.failure ? { failure: order.authorization.capture.failure } : {}),
    };
  } catch (e) {
    return { failure: (e as Error).message.split("\n")[0] };
  }
}
