/**
 * The load: purchases through the running lab, several at a time. The bench process plays the
 * shop's back office (creates the order) and the buyer's browser (fetches its initiation object) and the mediator
 * (`runPurchase` in-process) against the phone's card link. The card link is bonded once: the
 * first purchase pairs with the lab's code, every later one resumes the bond the process keeps in
 * memory (docs/card-link.md), as a PC bonded to its phone would.
 */
import { BondCache, type Outcome, runPurchase } from "@setlab/mediator";
import type { AdminAccess } from "@setlab/runtime";
import { createOrder, fetchInitiation } from "../browser";

export interface LabTarget {
  /** The merchant's base URL. */
  readonly merchant: string;
  /** The merchant's admin listener, where the shop's back office creates orders. */
  readonly merchantAdmin: AdminAccess;
  readonly phoneHost: string;
  readonly phonePort: number;
  readonly pin: string;
  /** The code of the phone's card link, as the lab's code file held it when the bench started. */
  readonly pairingCode: string;
  /** The card-link bonds to resume; default one cache for the whole process. */
  readonly bonds?: BondCache;
}

/** The bench process's bonds: in memory, for as long as the process runs. */
const processBonds = new BondCache();

export interface BenchCard {
  readonly id: string;
  readonly brand: string;
}

export interface Sample {
  readonly ms: number;
  readonly outcome: Outcome["outcome"] | "error";
  readonly reason?: string;
}

/** One purchase from order to outcome, timed. Never throws. */
export async function onePurchase(target: LabTarget, card: BenchCard): Promise<Sample> {
  const start = performance.now();
  try {
    const orderId = await createOrder(target.merchantAdmin, {
      description: "1 x SET Lab sticker",
      brand: card.brand,
      profile: "set",
    });
    const initiation = await fetchInitiation(target.merchant, orderId);
    const outcome = await runPurchase({
      initiation,
      card: {
        host: target.phoneHost,
        port: target.phonePort,
        cardId: card.id,
        pin: target.pin,
        pairingCode: target.pairingCode,
        bonds: target.bonds ?? processBonds,
      },
    });
    return {
      ms: performance.now() - start,
      outcome: outcome.outcome,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
    };
  } catch (e) {
    return { ms: performance.now() - start, outcome: "error", reason: (e as Error).message.split("\n")[0] };
  }
}

export interface LoadPlan {
  /** Stop after this many purchases... */
  readonly count?: number;
  /** ...or once this many seconds have passed (no new purchase starts after it). */
  readonly seconds?: number;
  readonly concurrency: number;
}

/** Run `purchase(i)` with `concurrency` workers until the plan is done; samples in start order. */
export async function runLoad(plan: LoadPlan, purchase: (i: number) => Promise<Sample>): Promise<Sample[]> {
  if (plan.count === undefined && plan.seconds === undefined)
    throw new Error("a load needs a count or seconds");
  const deadline = plan.seconds === undefined ? Infinity : performance.now() + plan.seconds * 1000;
  const samples: Sample[] = [];
  let next = 0;
  const more = () => (plan.count === undefined || next < plan.count) && performance.now() < deadline;
  const worker = async () => {
    while (more()) {
      const i = next++;
      samples[i] = await purchase(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, plan.concurrency) }, worker));
  return samples;
}
