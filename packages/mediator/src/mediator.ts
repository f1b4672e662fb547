/**
 * The mediator's purchase (patent steps S32-S56 as seen from the PC): it relays the card's SET
 * messages to the merchant and the merchant's answers to the card, and reports the outcome, one
 * phase after the other: the card (link, SELECT, the payment choice), VERIFY_PIN and the PInitReq /
 * PInitRes exchange, the card's check of the PInitRes and its PURCHASE, the PReq / PRes exchange,
 * the card's result. Where the mediator knows its next command before an answer, it sends both in
 * one flight (docs/card-link.md). It holds
 * personal data only in memory and only as long as needed: the PIN is overwritten right after
 * VERIFY_PIN, the PAN never reaches the PC (it travels inside the card's PI envelope), and nothing
 * is written to disk. Every network wait has a timeout, so a purchase always ends.
 *
 * `runPurchase` never throws for a protocol, card or network problem: it returns an Outcome whose
 * `outcome` says what happened ("refused" or "failed" with a reason). The CLI and the lab use it.
 */

import { installRecurDataOf } from "@setlab/protocol/relay";
import { PurchaseStop } from "./cardAnswers";
import { cardPurchase } from "./cardPurchase";
import { cardResult } from "./cardResult";
import { selectCard, verifyPin } from "./cardSelection";
import { type CardSession, openCardSession } from "./cardSession";
import { embodiment1Exchange } from "./embodiment1Exchange";
import { embodiment2Exchange, shopPost } from "./embodiment2Exchange";
import { merchantChannel } from "./merchantChannel";
import type { Outcome } from "./outcome";
import { pInitExchange } from "./pInitExchange";
import { pinBuffer } from "./pinBuffer";
import { pReqExchange } from "./pReqExchange";
import { type PurchaseOptions, timeoutsOf } from "./purchaseOptions";
import { stopOf } from "./purchaseStops";
import { PurchaseTrace } from "./purchaseTrace";

export type { Outcome, OutcomeKind, Party, Step } from "./outcome";
export type { CardAccess, PurchaseOptions, Timeouts } from "./purchaseOptions";

export async function runPurchase(options: PurchaseOptions): Promise<Outcome> {
  const { initiation, card: access, logger } = options;
  const timeouts = timeoutsOf(options.timeouts);
  const trace = new PurchaseTrace(logger, options.onStep);
  const { facts } = trace;
  let pin: Uint8Array | undefined;
  let card: CardSession | undefined;
  try {
    if (access.pin !== undefined) pin = pinBuffer(access.pin);
    card = await openCardSession(access, timeouts, options.runId, trace);
    const merchant = merchantChannel(initiation.setUrl, options.runId, timeouts.httpMs);

    const { brand, form } = await selectCard(card, access.cardId, initiation, options, trace);
    // The patent's first and second embodiments have their own messages and phases.
    if (pin && (initiation.profile === "embodiment-1" || initiation.profile === "embodiment-2"))
      await verifyPin(card, pin, trace);
    if (initiation.profile === "embodiment-1") {
      const result = await embodiment1Exchange(card, initiation, options.runId, timeouts.httpMs, trace);
      return trace.finish({ ...result, xid: facts.xid, brand });
    }
    if (initiation.profile === "embodiment-2") {
      if (!initiation.embodimentUrl)
        throw new PurchaseStop("failed", "the initiation object names no embodimentUrl");
      const post = shopPost(initiation.embodimentUrl, options.runId, timeouts.httpMs);
      const result = await embodiment2Exchange(card, initiation, post, options.confirmOrder, trace);
      return trace.finish({ ...result, brand });
    }
    // SET: the PIN goes in the same flight as PINIT_REQUEST.
    const pInitRes = await pInitExchange(card, merchant, initiation, brand, trace, pin);
    // The shop's terms unless the buyer stated their own (the merchant's HOD check judges either).
    const terms =
      options.installRecurData ?? (initiation.terms ? installRecurDataOf(initiation.terms) : undefined);
    const pReq = await cardPurchase(card, pInitRes, initiation, form, trace, terms);
    const pRes = await pReqExchange(pReq, merchant, trace);
    const result = await cardResult(card, pRes, initiation.purchAmt, trace);
    return trace.finish({
      outcome: result.outcome,
      xid: facts.xid,
      completionCode: result.completionCode,
      amount: result.amount,
      brand,
      merchant: facts.merchant,
      reason: result.reason,
    });
  } catch (e) {
    const stop = stopOf(e);
    logger?.info({ outcome: stop.kind, xid: facts.xid, reason: stop.message }, "purchase stopped");
    return trace.finish({
      outcome: stop.kind,
      xid: facts.xid,
      brand: facts.brand,
      merchant: facts.merchant,
      amount: initiation.purchAmt,
      reason: stop.message,
    });
  } finally {
    pin?.fill(0);
    await card?.close();
  }
}
