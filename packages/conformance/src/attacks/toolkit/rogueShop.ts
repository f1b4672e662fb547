/**
 * A purchase at a rogue merchant: the adversary's shop serves an initiation object, the real
 * mediator (the buyer's PC) runs the purchase against it with the lab's card, and the shop answers
 * PInitReq and PReq with what the attack builds. Returns what the mediator reported and which
 * messages reached the shop.
 */
import { schema } from "@setlab/protocol";
import type { AttackTarget } from "../attack";
import type { PurchAmt } from "./labHttp";
import { type MediatorRun, runMediator } from "./mediatorRun";
import { startRogueMerchant } from "./rogueMerchant";

export interface RogueShopHandlers {
  readonly onPInitReq: (der: Uint8Array) => Promise<Uint8Array>;
  /** Default: an empty answer. */
  readonly onPReq?: (der: Uint8Array) => Promise<Uint8Array>;
}

export interface RogueShopVisit {
  readonly mediator: MediatorRun;
  readonly pInitReqs: Uint8Array[];
  readonly pReqs: Uint8Array[];
  /** The SET ErrorCode the card gave, read from the mediator's one-line reason. */
  readonly cardCode?: string;
  /** The card command the card refused, from the same line. */
  readonly refusedCommand?: string;
}

export const rogueOrder = {
  description: "1 x SET Lab mug (rogue shop)",
  purchAmt: { currency: 392, amount: 1280, amtExp10: 0 } as PurchAmt,
};

export async function shopAtRogue(
  target: AttackTarget,
  handlers: RogueShopHandlers,
  options: { profile?: "set" | "hardened" } = {},
): Promise<RogueShopVisit> {
  const pInitReqs: Uint8Array[] = [];
  const pReqs: Uint8Array[] = [];
  const shop = await startRogueMerchant(
    {
      lidM: `rogue-${Date.now().toString(36)}`,
      purchAmt: rogueOrder.purchAmt,
      description: rogueOrder.description,
      profile: options.profile ?? "set",
    },
    async (body) => {
      const type = schema.decodeMessage(body).message.type;
      if (type === "purchaseInitRequest") {
        pInitReqs.push(body);
        return handlers.onPInitReq(body);
      }
      if (type === "purchaseRequest") {
        pReqs.push(body);
        return handlers.onPReq ? handlers.onPReq(body) : new Uint8Array(0);
      }
      return new Uint8Array(0);
    },
  );
  try {
    const mediator = await runMediator(target, shop.initiationUrl);
    const reason = mediator.outcome?.reason ?? "";
    const m = /the card refused (\w+): (\w+)/.exec(reason);
    return {
      mediator,
      pInitReqs,
      pReqs,
      ...(m ? { refusedCommand: m[1], cardCode: m[2] } : {}),
    };
  } finally {
    await shop.close();
  }
}
