/**
 * One soak purchase, the way a buyer makes it: the soak plays the shop's back office (creates the
 * order) and the buyer's browser (fetches its initiation object) and runs the mediator (`runPurchase` of @setlab/mediator,
 * in this process) against the phone's card link. Never throws: what the buyer saw comes back.
 */
import { type CardAccess, runPurchase } from "@setlab/mediator";
import type { AdminAccess } from "@setlab/runtime";
import { createOrder, fetchInitiation } from "../browser";
import type { BuyerOutcome } from "./reconcile";
import { soakOrderAmount } from "./soakBackOffice";

export interface SoakTarget {
  /** The merchant's base URL. */
  readonly merchant: string;
  /** The merchant's admin listener: the back office creates orders and reads them there. */
  readonly merchantAdmin: AdminAccess;
  readonly phoneHost: string;
  readonly phonePort: number;
  readonly pin: string;
  /** The lab's card-link pairing code, when the phone asks for one. */
  readonly pairingCode?: string | (() => Promise<string>);
}

export interface SoakCard {
  readonly id: string;
  readonly brand: string;
}

export interface SoakPurchase {
  readonly index: number;
  readonly card: string;
  readonly runId: string;
  readonly orderId?: string;
  readonly buyer: BuyerOutcome;
}

export async function soakPurchase(
  target: SoakTarget,
  card: SoakCard,
  index: number,
  runId: string,
): Promise<SoakPurchase> {
  let orderId: string | undefined;
  try {
    orderId = await createOrder(
      target.merchantAdmin,
      { description: "1 x SET Lab sticker", brand: card.brand, amount: soakOrderAmount },
      runId,
    );
    const initiation = await fetchInitiation(target.merchant, orderId, runId);
    // The pairing code goes in only when the lab has one (a phone without a secure link takes none).
    const pairing: Record<string, unknown> = target.pairingCode ? { pairingCode: target.pairingCode } : {};
    const access = {
      host: target.phoneHost,
      port: target.phonePort,
      cardId: card.id,
      pin: target.pin,
      ...pairing,
    } as CardAccess;
    const outcome = await runPurchase({ initiation, card: access, runId });
    return {
      index,
      card: card.id,
      runId,
      orderId,
      buyer: {
        outcome: outcome.outcome,
        ...(outcome.xid ? { xid: outcome.xid } : {}),
        ...(outcome.reason ? { reason: outcome.reason } : {}),
      },
    };
  } catch (e) {
    return {
      index,
      card: card.id,
      runId,
      ...(orderId ? { orderId } : {}),
      buyer: { outcome: "error", reason: (e as Error).message.split("\n")[0] },
    };
  }
}
