/**
 * Locking an order out of payment: order LID-Ms are guessable and a PInitReq is neither signed nor
 * tied to the buyer, so a stranger sends one for the buyer's order before the buyer does. The
 * merchant must not let it consume the order: the buyer's own PInitReq gets a new XID and pays.
 */
import { encodeCardData, INS } from "@setlab/protocol";
import type { Attack } from "../attack";
import { createOrder, fetchInitiation, orderView, postRaw } from "../toolkit/labHttp";
import { RogueCard } from "../toolkit/rogueCard";
import { approveCard, completePurchase } from "../toolkit/roguePc";
import { readSetAnswer } from "../toolkit/setAnswer";

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
