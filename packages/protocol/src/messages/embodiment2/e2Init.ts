/** Embodiment 2, first message: the mediator tells the merchant which order the buyer pays. */
import type { E2Init } from "../../schema/embodiments";
import {
  checkEmbodimentDate,
  type EmbodimentIncoming,
  embodimentBodyOf,
  readEmbodiment,
  wrapEmbodiment,
} from "../embodiment1/envelope";

export function buildE2Init(init: E2Init, date: Date): Uint8Array {
  return wrapEmbodiment({ type: "e2Init", value: init }, date);
}

/** The message type and the date (messageTooOld / messageTooNew); the order lookup is the merchant's. */
export function receiveE2Init(
  message: EmbodimentIncoming,
  receiver: { readonly now: Date; readonly maxClockSkewMs?: number },
): E2Init {
  const wrapper = readEmbodiment(message);
  const init = embodimentBodyOf(wrapper, "e2Init");
  checkEmbodimentDate(wrapper, receiver.now, receiver.maxClockSkewMs);
  return init;
}
