/** Any failure of a purchase as a one-line stop: unexpected errors are faults, never stacks for the user. */
import { CardTransportError } from "@setlab/protocol/card-link";
import { SetError } from "@setlab/protocol/relay";
import { PurchaseStop } from "./cardAnswers";

export function stopOf(e: unknown): PurchaseStop {
  if (e instanceof PurchaseStop) return e;
  if (e instanceof CardTransportError)
    return new PurchaseStop(e.kind === "pairing" || e.kind === "unbonded" ? "refused" : "failed", e.message);
  if (e instanceof SetError) return new PurchaseStop("failed", e.message);
  const message = e instanceof Error ? e.message : String(e);
  return new PurchaseStop("failed", `internal fault: ${message.split("\n")[0]}`);
}
