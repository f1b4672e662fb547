/**
 * Locking an order out of payment: order LID-Ms are guessable, a PInitReq is neither signed nor
 * tied to the buyer, and an unsigned PReq (where the brand allows it) authenticates nobody. A
 * stranger uses them to take the buyer's order before the buyer, to turn the buyer's PReq away,
 * or to get the order declined. The merchant must not let any of it close the order to the buyer.
 */
import { randomBytes } from "node:crypto";
import { encodeCardData, INS, setProfileOf, wrapMessage } from "@setlab/protocol";
import type { Attack } from "../attack";
import { createOrder, fetchInitiation, orderView, postRaw } from "../toolkit/labHttp";
import { readPInitReq } from "../toolkit/messages";
import { RogueCard, SW_OK } from "../toolkit/rogueCard";
import { approveCard, completePurchase, prepareInitialized, preparePReq } from "../toolkit/roguePc";
import { describeAnswer, readSetAnswer } from "../toolkit/setAnswer";

export const strangerPInitReq: Attack = {
  id: "denial/stranger-pinitreq-locks-order",
  category: "denial",
  title:
    "A stranger sends a PInitReq for the buyer's order (its LID-M is guessable) before the buyer does, so that the order is `initiated` under the stranger's XID.",
  expected:
    "The PInitReq does not consume the order: the buyer's PInitReq gets a new XID and the purchase is authorized; the stranger's XID is no longer the order's.",
  async run(target) {
    const order = await createOrder(target, { amount: 100 });
    const initiation = await fetchInitiation(target, order.id);
    const stranger = await RogueCard.connect(target);
    let strangerXid: string | undefined;
    try {
      const { brand } = await stranger.open(approveCard, target.pin);
      const pInitReq = await stranger.must(
        INS.PINIT_REQUEST,
        encodeCardData("PInitRequestInput", { brand, lidM: initiation.lidM, language: initiation.language }),
      );
      const answer = await readSetAnswer(await postRaw(initiation.setUrl, pInitReq));
      strangerXid = answer.kind === "message" ? answer.xid : undefined;
    } finally {
      await stranger.close();
    }
    const afterStranger = (await orderView(target, String(order.id))).state;
    let failure: string | undefined;
    let buyerXid: string | undefined;
    try {
      const bought = await completePurchase(target, { order });
      buyerXid = bought.xid;
      await bought.card.close();
    } catch (e) {
      failure = (e as Error).message.split("\n")[0];
    }
    const view = await orderView(target, String(order.id));
    const refused = view.state === "authorized" && buyerXid !== undefined && buyerXid !== strangerXid;
    return {
      refused,
      refusedBy: "merchant",
      signal: view.state,
      stateUnchanged: refused,
      detail: `after the stranger's PInitReq the order was ${afterStranger}${strangerXid ? "" : " (the stranger got no XID)"}; the buyer ${failure ? `failed: ${failure}` : "paid"}; the order is ${view.state}${buyerXid && buyerXid !== strangerXid ? " under the buyer's own XID" : ""}`,
    };
  },
};

/** How many PInitReqs the stranger slips between the buyer's PInitReq and PReq. */
const strangerPInitReqs = 8;

export const strangerPInitReqsBeforePReq: Attack = {
  id: "denial/stranger-pinitreqs-before-buyer-preq",
  category: "denial",
  title: `Between the buyer's PInitReq and PReq, a stranger sends ${strangerPInitReqs} PInitReqs for the buyer's order (fresh RRPIDs and challenges), each answered with a new XID.`,
  expected:
    "Every PInitRes's XID stays valid on its own: the buyer's PReq under the buyer's XID is authorized, and the order is known by that XID.",
  async run(target) {
    const buyer = await prepareInitialized(target);
    const template = readPInitReq(buyer.pInitReq);
    const strangerXids: string[] = [];
    let failure: string | undefined;
    let answer = "";
    try {
      for (let i = 0; i < strangerPInitReqs; i++) {
        const rrpid = new Uint8Array(randomBytes(20));
        const lid_C = new Uint8Array(Buffer.from(`stranger-${i}`));
        const crafted = wrapMessage(
          {
            type: "purchaseInitRequest",
            value: { ...template, rrpid, localID_C: lid_C, chall_C: new Uint8Array(randomBytes(20)) },
          },
          { rrpid, lid_C, lid_M: template.localID_M },
          { date: new Date() },
        );
        const read = await readSetAnswer(await postRaw(buyer.initiation.setUrl, crafted));
        if (read.kind === "message" && read.xid) strangerXids.push(read.xid);
      }
      const built = await buyer.card.purchase({
        od: buyer.initiation.od,
        purchAmt: buyer.initiation.purchAmt,
        profile: setProfileOf(buyer.initiation.profile),
        form: "dualSigned",
      });
      if (built.sw !== SW_OK) throw new Error("the card did not build the PReq");
      const posted = await postRaw(buyer.initiation.setUrl, built.data);
      const read = await readSetAnswer(posted);
      answer = describeAnswer(read);
      if (read.kind === "message") await buyer.card.purchaseResponse(posted.bytes);
    } catch (e) {
      failure = (e as Error).message.split("\n")[0];
    } finally {
      await buyer.card.close();
    }
    const view = await orderView(target, buyer.order.id);
    const refused = view.state === "authorized" && view.xid === buyer.xid;
    return {
      refused,
      refusedBy: "merchant",
      signal: view.state,
      stateUnchanged: refused,
      detail: `the stranger got ${strangerXids.length} XIDs of its own; the buyer's PReq: ${failure ?? answer}; the order is ${view.state}${view.xid === buyer.xid ? " under the buyer's XID" : ""}`,
    };
  },
};

/** A MasterCard test card the issuer declines (insufficient funds): the stranger's own. */
const strangerCard = "mc-nsf";
const buyerCard = "mc-approve";

export const strangerUnsignedPReqDecline: Attack = {
  id: "denial/stranger-unsigned-preq-declines-order",
  category: "denial",
  title:
    "For a MasterCard order (unsigned PReqs allowed), a stranger pays the buyer's order with an unsigned PReq from a card the issuer declines, so that the order is declined before the buyer pays.",
  expected:
    "The decline does not close the order: the buyer pays it afterwards (authorized, under the buyer's own XID), with the stranger's attempt in its history.",
  async run(target) {
    const order = await createOrder(target, { amount: 100, brand: "MasterCard" });
    let afterStranger = "";
    let strangerAnswer = "";
    const stranger = await preparePReq(target, { order, cardId: strangerCard, form: "unsigned" });
    try {
      const read = await readSetAnswer(await postRaw(stranger.initiation.setUrl, stranger.pReq));
      strangerAnswer = describeAnswer(read);
    } finally {
      await stranger.card.close();
    }
    afterStranger = (await orderView(target, order.id)).state;
    let failure: string | undefined;
    let buyerXid: string | undefined;
    try {
      const bought = await completePurchase(target, { order, cardId: buyerCard });
      buyerXid = bought.xid;
      await bought.card.close();
    } catch (e) {
      failure = (e as Error).message.split("\n")[0];
    }
    const view = await orderView(target, order.id);
    const states = (view.history ?? []).map((h) => h.state);
    const refused =
      afterStranger === "declined" &&
      view.state === "authorized" &&
      view.xid === buyerXid &&
      states.filter((s) => s === "purchaseRequested").length === 2;
    return {
      refused,
      refusedBy: "merchant",
      signal: view.state,
      stateUnchanged: refused,
      detail: `the stranger's unsigned PReq got ${strangerAnswer} and left the order ${afterStranger}; the buyer ${failure ? `failed: ${failure}` : "paid"}; the order is ${view.state} (history: ${states.join(" > ")})`,
    };
  },
};
