/**
 * Embodiment 1: the shop's request for personal information, relayed by the mediator to the card.
 * Unsigned: the card cannot hold the shop to anything in it; it shows the amount to the
 * cardholder, and signs its answer over these values so that the shop can hold the card to them.
 */
import { SetError } from "../../errors";
import type { E1InfoReq } from "../../schema/embodiments";
import {
  checkEmbodimentDate,
  type EmbodimentIncoming,
  embodimentBodyOf,
  expectSame,
  readEmbodiment,
  wrapEmbodiment,
} from "./envelope";

export function buildE1InfoReq(req: E1InfoReq, date: Date): Uint8Array {
  return wrapEmbodiment({ type: "e1InfoReq", value: req }, date);
}

export interface E1InfoReqExpectations {
  /** The card's brand: the shop must take it. */
  readonly brand: string;
  /** The LID-M the buyer chose to pay, when the card was told it. */
  readonly lid_M?: Uint8Array;
}

export interface E1InfoReqReceiver {
  readonly now: Date;
  readonly maxClockSkewMs?: number;
}

/**
 * The message type (a refusal is the merchant's answer: RemoteSetError); the date within the skew
 * (messageTooOld / messageTooNew); the LID-M the buyer chose (unknownLID); the card's brand among
 * the shop's (unspecifiedFailure: SET has no code for a brand the shop does not take).
 */
export function receiveE1InfoReq(
  message: EmbodimentIncoming,
  expected: E1InfoReqExpectations,
  receiver: E1InfoReqReceiver,
): E1InfoReq {
  const wrapper = readEmbodiment(message);
  const req = embodimentBodyOf(wrapper, "e1InfoReq");
  checkEmbodimentDate(wrapper, receiver.now, receiver.maxClockSkewMs);
  if (expected.lid_M) expectSame(req.lid_M, expected.lid_M, "unknownLID", "E1InfoReq.lid-M");
  if (!req.brands.includes(expected.brand))
    throw new SetError("unspecifiedFailure", "the shop does not take the card's brand", "E1InfoReq.brands");
  return req;
}
