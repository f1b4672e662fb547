/** Embodiment 1, first message: the mediator tells the merchant which order the buyer pays. */
import type { E1InfoInit } from "../../schema/embodiments";
import {
  checkEmbodimentDate,
  type EmbodimentIncoming,
  embodimentBodyOf,
  readEmbodiment,
  wrapEmbodiment,
} from "./envelope";

export function buildE1InfoInit(init: E1InfoInit, date: Date): Uint8Array {
  return wrapEmbodiment({ type: "e1InfoInit", value: init }, date);
}

export interface E1InfoInitReceiver {
  readonly now: Date;
  readonly maxClockSkewMs?: number;
}

/** The message type and the date (messageTooOld / messageTooNew); the order lookup is the merchant's. */
export function receiveE1InfoInit(message: EmbodimentIncoming, receiver: E1InfoInitReceiver): E1InfoInit {
  const wrapper = readEmbodiment(message);
  const init = embodimentBodyOf(wrapper, "e1InfoInit");
  checkEmbodimentDate(wrapper, receiver.now, receiver.maxClockSkewMs);
  return init;
}
