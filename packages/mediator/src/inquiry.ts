/**
 * The mediator's inquiry (SET's InqReq/InqRes, digest 3.6): a buyer told `orderReceived` asks
 * later how the purchase ended. The card builds the InqReq from its purchase memory (signed, or
 * with the inquiry proof of an unsigned purchase), the mediator relays it to the shop's SET URL and
 * the InqRes back, and the card checks the answer and reports the outcome. As in a purchase, the
 * PIN is overwritten after VERIFY_PIN, nothing is written to disk, and the PC never holds more
 * than the messages it relays (no key, no account data). Never throws for a protocol, card or
 * network problem: the Outcome says what happened.
 */
import { encodeCardData, INS, schema, toHex, utf8 } from "@setlab/protocol/relay";
import { completionOf, expectOk, PurchaseStop, readPResAnswer, readSelect } from "./cardAnswers";
import { verifyPin } from "./cardSelection";
import { type CardSession, openCardSession } from "./cardSession";
import { messageName } from "./merchantAnswer";
import { merchantChannel } from "./merchantChannel";
import type { Outcome } from "./outcome";
import { pinBuffer } from "./pinBuffer";
import { type PurchaseOptions, timeoutsOf } from "./purchaseOptions";
import { stopOf } from "./purchaseStops";
import { PurchaseTrace } from "./purchaseTrace";

export interface InquiryOptions
  extends Pick<PurchaseOptions, "card" | "runId" | "onStep" | "logger" | "timeouts"> {
  /** The shop's SET endpoint (the initiation object's setUrl). */
  readonly setUrl: string;
  /** The purchase to ask about; default the last one the card remembers. */
  readonly xid?: Uint8Array;
}

export async function runInquiry(options: InquiryOptions): Promise<Outcome> {
  const { card: access, logger } = options;
  const timeouts = timeoutsOf(options.timeouts);
  const trace = new PurchaseTrace(logger, options.onStep);
  const { facts } = trace;
  let pin: Uint8Array | undefined;
  let card: CardSession | undefined;
  try {
    if (access.pin !== undefined) pin = pinBuffer(access.pin);
    card = await openCardSession(access, timeouts, options.runId, trace);
    const selected = readSelect(
      expectOk(INS.SELECT, await card.transmit(INS.SELECT, utf8(access.cardId)), access.cardId),
    );
    facts.brand = selected.brand;
    trace.record({
      step: "select",
      from: "mediator",
      to: "card",
      message: "SELECT",
      detail: `${selected.brand} card`,
    });
    if (pin) await verifyPin(card, pin, trace);

    const asked = options.xid ? { xid: options.xid } : {};
    const inqReq = await card.command(INS.INQUIRY_REQUEST, encodeCardData("InquiryInput", asked));
    const xid = schema.decodeMessage(inqReq).messageHeader.messageIDs?.xid;
    if (xid) facts.xid = toHex(xid);
    trace.record({ step: "inquiry", from: "card", to: "merchant", message: "InqReq", bytes: inqReq.length });
    const reply = await merchantChannel(options.setUrl, options.runId, timeouts.httpMs)(inqReq, "InqReq");
    if (reply.answer.type !== "inquiryResponse" && reply.answer.type !== "error")
      throw new PurchaseStop(
        "failed",
        `the merchant answered the InqReq with ${messageName(reply.answer.type)}`,
      );
    const answer = readPResAnswer(
      await card.command(INS.INQUIRY_RESPONSE, reply.bytes),
      INS.INQUIRY_RESPONSE,
    );
    trace.record({
      step: "inquiry",
      from: "merchant",
      to: "card",
      message: messageName(reply.answer.type),
      bytes: reply.bytes.length,
      detail: answer.error ?? answer.completionCode,
    });
    if (answer.error !== undefined)
      throw new PurchaseStop("refused", `the merchant refused the InqReq: ${answer.error}`);
    return trace.finish({
      outcome: completionOf(answer),
      xid: facts.xid,
      completionCode: answer.completionCode,
      ...(answer.authAmt ? { amount: answer.authAmt } : {}),
      brand: facts.brand,
    });
  } catch (e) {
    const stop = stopOf(e);
    logger?.info({ outcome: stop.kind, xid: facts.xid, reason: stop.message }, "inquiry stopped");
    return trace.finish({ outcome: stop.kind, xid: facts.xid, brand: facts.brand, reason: stop.message });
  } finally {
    pin?.fill(0);
    await card?.close();
  }
}
