/**
 * When an order may be paid, and how often. An order is payable until something is authorized
 * for it: after a decline, or a failure that authorized nothing (the gateway's SET Error, a
 * gateway that was never reached), the buyer may try again under a new XID, as a shop lets a
 * buyer retry a card. That matters because an unsigned PReq authenticates nobody: a stranger's
 * junk PReq declined must not close the buyer's order.
 *
 * The retries are bounded so that nobody fills the merchant's tables through one order, without
 * giving a stranger a switch that locks the buyer out: unsigned PReqs share one small budget
 * (nothing tells their senders apart), and each cardholder certificate has its own. A stranger
 * can exhaust the unsigned budget, never the buyer's signed one; only a certificate the CA issued
 * buys more attempts.
 */
import { fingerprintOf, SetError, type VerifiedPReq } from "@setlab/protocol";
import type { MerchantContext } from "./context";
import type { AttemptLimits } from "./merchantConfig";
import type { Order } from "./order";

export const defaultAttemptLimits: AttemptLimits = { unsigned: 3, perCardholder: 3 };

/** The payer every unsigned PReq counts as. */
export const unsignedPayer = "unsigned";

/** Who a verified PReq's attempt counts against: its cardholder certificate (SHA-256 of its DER), or `unsigned`. */
export function payerOf(verified: VerifiedPReq): string {
  return verified.cardholderCertificate ? fingerprintOf(verified.cardholderCertificate.der) : unsignedPayer;
}

/** Whether a PInitReq or a PReq may start a payment of this order now. */
export function isPayable(order: Order): boolean {
  switch (order.state) {
    case "created":
    case "initiated":
    case "declined":
      return true;
    case "authorizationFailed":
      return order.authorization?.authorizedNothing === true;
    default:
      return false;
  }
}

/** Refuses the attempt when its payer has used up its budget on this order. */
export async function checkAttemptBudget(ctx: MerchantContext, order: Order, payer: string): Promise<void> {
  const limits = ctx.config.attemptLimits ?? defaultAttemptLimits;
  const used = (await ctx.repo.attemptsByPayer(order.id)).get(payer) ?? 0;
  if (payer === unsignedPayer) {
    if (used >= limits.unsigned)
      throw new SetError(
        "signatureRequired",
        `this order took ${used} unsigned purchase requests: it takes only signed ones now`,
        "PReq",
      );
  } else if (used >= limits.perCardholder)
    throw new SetError(
      "unspecifiedFailure",
      `this cardholder certificate made ${used} attempts to pay this order already`,
      "PReq",
    );
}
