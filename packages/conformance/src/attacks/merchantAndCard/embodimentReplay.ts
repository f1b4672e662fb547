/**
 * The patent's first and second embodiments under replay and a lying PC: the card information of
 * an answered exchange sent again, the second embodiment's session key of one order handed to the
 * card in another's exchange, and the order the card marked non-forward sent to the shop with the
 * flag cleared. Each is refused by the party that must refuse it, and nothing is recorded.
 */
import { buildE1InfoInit, buildE2Init, INS, schema, utf8, wrapEmbodiment } from "@setlab/protocol";
import { SET_PAYMENT_EMBODIMENT } from "@setlab/runtime";
import type { Attack, AttackTarget } from "../attack";
import { authorizationsFor, createOrder, orderView, postRaw } from "../toolkit/labHttp";
import { describeCardAnswer, RogueCard } from "../toolkit/rogueCard";
import { approveCard } from "../toolkit/roguePc";
import { watch } from "../toolkit/stateWitness";
import { oneOf, verdict } from "../toolkit/verdict";

const postEmbodiment = (target: AttackTarget, der: Uint8Array) =>
  postRaw(`${target.merchantUrl}/set/embodiment`, der, SET_PAYMENT_EMBODIMENT);

/** The merchant's answer: its message type, or the ErrorCode of its refusal. */
function answerOf(bytes: Uint8Array): string {
  try {
    const { message } = schema.decodeEmbodimentMessage(bytes);
    return message.type === "error" ? message.value.errorCode : message.type;
  } catch {
    return `undecodable (${bytes.length} bytes)`;
  }
}

/** A message the merchant must answer with `type`; anything else means the set-up failed. */
async function exchange(target: AttackTarget, der: Uint8Array, type: string): Promise<Uint8Array> {
  const answer = await postEmbodiment(target, der);
  const got = answerOf(answer.bytes);
  if (got !== type) throw new Error(`the merchant answered ${got}, not ${type}, during set-up`);
  return answer.bytes;
}

interface E2Opened {
  readonly card: RogueCard;
  readonly orderId: string;
  readonly xid: string;
  readonly sessionKey: Uint8Array;
}

/** A second-embodiment order taken to the point where the merchant sent its session key. */
async function e2UpToSessionKey(target: AttackTarget): Promise<E2Opened> {
  const order = await createOrder(target, {
    profile: "embodiment-2",
    description: "1 x Non-forward flag pin",
  });
  const card = await RogueCard.connect(target);
  try {
    await card.open(approveCard, target.pin);
    const hello = await exchange(
      target,
      buildE2Init({ lid_M: utf8(order.lidM) }, new Date()),
      "e2MerchantHello",
    );
    const cardHello = await card.must(INS.E2_HELLO, hello);
    const sessionKey = await exchange(target, cardHello, "e2SessionKey");
    const xid = (await orderView(target, order.id)).xid ?? "";
    return { card, orderId: order.id, xid, sessionKey };
  } catch (e) {
    await card.close();
    throw e;
  }
}

export const e1InfoResReplay: Attack = {
  id: "replay/e1-card-info",
  category: "replay",
  title: "The PC sends the first embodiment's answered card information (E1InfoRes) to the merchant again.",
  expected: "The merchant refuses with unknownXID (one answer per request); no second authorization.",
  async run(target) {
    const order = await createOrder(target, { profile: "embodiment-1" });
    const card = await RogueCard.connect(target);
    try {
      await card.open(approveCard, target.pin);
      const infoReq = await exchange(
        target,
        buildE1InfoInit({ lid_M: utf8(order.lidM) }, new Date()),
        "e1InfoReq",
      );
      const infoRes = await card.must(INS.E1_CARD_INFO, infoReq);
      await exchange(target, infoRes, "e1Result");
      const xid = (await orderView(target, order.id)).xid ?? "";
      const { result, changed } = await watch(
        target,
        { orderId: order.id, xids: [xid], cardId: approveCard },
        () => postEmbodiment(target, infoRes),
      );
      const signal = answerOf(result.bytes);
      const approved = (await authorizationsFor(target, xid)).filter((a) => a.authCode === "approved").length;
      return verdict(target, {
        refused: oneOf(signal, ["unknownXID"]) && approved === 1,
        refusedBy: "merchant",
        signal,
        changed,
        detail: `merchant answered the replay ${signal}; ${approved} approved authorization(s) for the XID`,
      });
    } finally {
      await card.close();
    }
  },
};

export const e2CardInfoReplay: Attack = {
  id: "replay/e2-card-info",
  category: "replay",
  title: "The PC sends the second embodiment's answered card information (E2CardInfo) to the merchant again.",
  expected:
    "The merchant refuses with unknownXID (one card information per session key); no second authorization.",
  async run(target) {
    const opened = await e2UpToSessionKey(target);
    try {
      await opened.card.must(INS.E2_SESSION_KEY, opened.sessionKey);
      const cardInfo = await opened.card.must(INS.E2_CONFIRM);
      await exchange(target, cardInfo, "e1Result");
      const { result, changed } = await watch(
        target,
        { orderId: opened.orderId, xids: [opened.xid], cardId: approveCard },
        () => postEmbodiment(target, cardInfo),
      );
      const signal = answerOf(result.bytes);
      const approved = (await authorizationsFor(target, opened.xid)).filter(
        (a) => a.authCode === "approved",
      ).length;
      return verdict(target, {
        refused: oneOf(signal, ["unknownXID"]) && approved === 1,
        refusedBy: "merchant",
        signal,
        changed,
        detail: `merchant answered the replay ${signal}; ${approved} approved authorization(s) for the XID`,
      });
    } finally {
      await opened.card.close();
    }
  },
};

export const e2SessionKeyOtherOrder: Attack = {
  id: "replay/e2-session-key-other-order",
  category: "replay",
  title:
    "The PC hands the card, in one order's exchange, the session key the merchant sent for another order.",
  expected:
    "The card refuses it (6F00: another XID or Chall-C than its hello's) and shows no order; nothing is recorded.",
  async run(target) {
    const earlier = await e2UpToSessionKey(target);
    await earlier.card.close();
    const now = await e2UpToSessionKey(target);
    try {
      const { result, changed } = await watch(
        target,
        { orderId: now.orderId, xids: [now.xid, earlier.xid], cardId: approveCard },
        () => now.card.command(INS.E2_SESSION_KEY, earlier.sessionKey),
      );
      const signal = describeCardAnswer(result);
      // The card's refusal carries its Error; an order for the buyer would be the attack's success.
      const shown = answerOf(result.data) === "e2OrderForBuyer";
      return verdict(target, {
        refused:
          !shown && oneOf(signal, ["6F00 unknownXID", "6F00 challengeMismatch", "6F00 thumbsMismatch"]),
        refusedBy: "card",
        signal,
        changed,
        detail: `card answered ${signal}; ${shown ? "AN ORDER FOR THE BUYER" : "no order for the buyer"}`,
      });
    } finally {
      await now.card.close();
    }
  },
};

export const e2NonForwardCleared: Attack = {
  id: "mediator/e2-non-forward-cleared",
  category: "mediator",
  title:
    "A PC clears the non-forward flag of the order the card handed it (E2OrderForBuyer) and sends the order to the shop.",
  expected:
    "The merchant takes no such message (messageNotSupported) and records nothing; the card's information stays with the card.",
  async run(target) {
    const opened = await e2UpToSessionKey(target);
    try {
      const marked = await opened.card.must(INS.E2_SESSION_KEY, opened.sessionKey);
      const { message } = schema.decodeEmbodimentMessage(marked);
      if (message.type !== "e2OrderForBuyer") throw new Error(`the card answered ${message.type}`);
      const cleared = wrapEmbodiment(
        { type: "e2OrderForBuyer", value: { ...message.value, nonForward: false } },
        new Date(),
      );
      const { result, changed } = await watch(
        target,
        { orderId: opened.orderId, xids: [opened.xid], cardId: approveCard },
        () => postEmbodiment(target, cleared),
      );
      const signal = answerOf(result.bytes);
      const state = (await orderView(target, opened.orderId)).state;
      return verdict(target, {
        refused: oneOf(signal, ["messageNotSupported"]) && state === "initiated",
        refusedBy: "merchant",
        signal,
        changed,
        detail: `merchant answered the order with the flag cleared ${signal}; order ${state}, XID ${opened.xid.slice(0, 8)}`,
      });
    } finally {
      await opened.card.close();
    }
  },
};

export const embodimentAttacks: readonly Attack[] = [
  e1InfoResReplay,
  e2CardInfoReplay,
  e2SessionKeyOtherOrder,
  e2NonForwardCleared,
];
