/**
 * The purchase's trace: each hop is kept for the Outcome, logged (sizes and the XID, never bytes)
 * and handed to the caller's `onStep`; what is known of the transaction so far (XID, brand,
 * merchant) rides along, so that a purchase that stops midway still reports it.
 */
import type { Logger } from "@setlab/runtime/client";
import type { Outcome, Step } from "./outcome";

export interface TransactionFacts {
  xid?: string;
  brand?: string;
  merchant?: { name?: string; merID?: string };
}

export class PurchaseTrace {
  readonly steps: Step[] = [];
  readonly facts: TransactionFacts = {};

  constructor(
    private readonly logger?: Logger,
    private readonly onStep?: (step: Step) => void,
  ) {}

  record(step: Step): void {
    this.steps.push(step);
    this.logger?.info(
      {
        step: step.step,
        message: step.message,
        from: step.from,
        to: step.to,
        bytes: step.bytes,
        xid: this.facts.xid,
      },
      "step",
    );
    try {
      this.onStep?.(step);
    } catch {
      // A trace printer's failure does not stop a payment.
    }
  }

  finish(outcome: Omit<Outcome, "steps">): Outcome {
    const result: Outcome = { ...outcome, steps: this.steps };
    this.logger?.info({ outcome: result.outcome, xid: result.xid, reason: result.reason }, "purchase ended");
    return result;
  }
}
