/**
 * Embodiment 2: the order the card opened under the session key, for the buyer's eyes only
 * (claim 2). The card marks it non-forward; the mediator shows it and asks for the buyer's
 * confirmation, and never sends it toward the shop.
 */
import { SetError } from "../../errors";
import { decodeEmbodimentMessage, type E2OrderForBuyer } from "../../schema/embodiments";
import {
  type EmbodimentIncoming,
  embodimentBodyOf,
  readEmbodiment,
  wrapEmbodiment,
} from "../embodiment1/envelope";

/** The card's answer: always marked non-forward. */
export function buildE2OrderForBuyer(order: Omit<E2OrderForBuyer, "nonForward">, date: Date): Uint8Array {
  return wrapEmbodiment({ type: "e2OrderForBuyer", value: { ...order, nonForward: true } }, date);
}

/** The order as the mediator shows it; an order the card did not mark non-forward is refused. */
export function readE2OrderForBuyer(message: EmbodimentIncoming): E2OrderForBuyer {
  const order = embodimentBodyOf(readEmbodiment(message), "e2OrderForBuyer");
  if (!order.nonForward)
    throw new SetError(
      "unspecifiedFailure",
      "the order for the buyer must be marked non-forward",
      "E2OrderForBuyer",
    );
  return order;
}

/**
 * True for bytes that must never leave the PC toward the shop: an embodiment message marked
 * non-forward. The mediator asks this of everything it is about to post.
 */
export function isNonForward(bytes: Uint8Array): boolean {
  try {
    const { message } = decodeEmbodimentMessage(bytes);
    return message.type === "e2OrderForBuyer";
  } catch {
    return false;
  }
}
