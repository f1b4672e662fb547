import { setMaxListeners } from "node:events";
/**
 * Slow HTTP (slowloris): a local attacker opens connections to the merchant's and the gateway's
 * payment listeners and sends the headers, or a declared 256 KiB body, a byte a second, so each
 * connection stays busy without ever finishing a request. A listener that waits for them pins
 * sockets and memory until it can serve no one. Each party must cut such a request off at its
 * time limit (runtime's serverLimits: 10 s for headers, 15 s for the whole request) while genuine
 * purchases go on being served. The slow connections are the bench's (`@setlab/lab` attackTraffic).
 */
import { holdSlowBody, holdSlowHeaders, type SlowBodyEnd } from "@setlab/lab";
import type { Attack, AttackTarget } from "../attack";
import { completePurchase } from "../toolkit/roguePc";

/** Slow connections per listener and kind: 4 x 6 = 24 in all, a byte a second each. */
const perKind = 6;
const dripMs = 1000;
/** Longer than the listeners' whole-request limit (15 s) and its check interval, with room to spare. */
const giveUpMs = 30_000;

function holdSlowConnections(target: AttackTarget, signal: AbortSignal): Promise<SlowBodyEnd>[] {
  const held: Promise<SlowBodyEnd>[] = [];
  for (const url of [`${target.merchantUrl}/set`, `${target.gatewayUrl}/set`])
    for (let i = 0; i < perKind; i++)
      held.push(
        holdSlowHeaders(url, dripMs, signal),
        holdSlowBody(url, { announce: 256 * 1024, chunk: 1, everyMs: dripMs }, signal),
      );
  return held;
}

export const slowBodies: Attack = {
  id: "denial/slow-headers-and-bodies",
  category: "denial",
  title: `A local attacker holds ${4 * perKind} connections to the merchant's and the gateway's payment listeners, sending headers or a declared 256 KiB body a byte a second, while a buyer pays.`,
  expected:
    "The genuine purchase is authorized meanwhile, and each party closes every slow connection itself at its time limit (HTTP 408), well before the attacker would stop.",
  async run(target) {
    const giveUp = new AbortController();
    // One listener per held connection: more than Node's default warning threshold, on purpose.
    setMaxListeners(4 * perKind, giveUp.signal);
    const held = holdSlowConnections(target, giveUp.signal);
    const timer = setTimeout(() => giveUp.abort(), giveUpMs);
    let purchase: string;
    let paid = false;
    try {
      // The buyer pays while every slow connection is open and dripping.
      try {
        const bought = await completePurchase(target);
        await bought.card.close();
        paid = true;
        purchase = "the buyer's purchase completed";
      } catch (e) {
        purchase = `the buyer's purchase failed: ${(e as Error).message.split("\n")[0]}`;
      }
      const ends = await Promise.all(held);
      const byParty = ends.filter((e) => e.closedBy === "party");
      const slowest = Math.max(...byParty.map((e) => e.heldMs), 0);
      const answers = [...new Set(byParty.map((e) => e.status ?? "(nothing)"))].join(", ");
      const refused = paid && byParty.length === ends.length;
      return {
        refused,
        refusedBy: "merchant",
        signal: byParty.length === ends.length ? answers : "held open",
        // The attack asks for nothing: no order or authorization is its doing.
        stateUnchanged: true,
        detail: `${purchase}; ${
          byParty.length === ends.length
            ? `the parties closed all ${ends.length} slow connections, the last after ${(slowest / 1000).toFixed(1)} s (${answers})`
            : `${ends.length - byParty.length} of the ${ends.length} slow connections were still open after ${giveUpMs / 1000} s`
        }`,
      };
    } finally {
      clearTimeout(timer);
      giveUp.abort();
    }
  },
};
