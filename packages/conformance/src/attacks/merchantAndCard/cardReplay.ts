/**
 * Replays at the card (digest 7.6): the PC gives the card, in a new transaction, a PInitRes it
 * kept from an earlier one. Its Chall-C is not the card's fresh challenge: the card refuses with
 * 6F00 challengeMismatch and will not build a PReq.
 */
import type { Attack } from "../attack";
import {
  describeCardAnswer,
  RogueCard,
  SW_OUT_OF_ORDER,
  SW_SET_CHECK_FAILED,
  setCodeOf,
} from "../toolkit/rogueCard";
import { prepareInitialized } from "../toolkit/roguePc";
import { watch } from "../toolkit/stateWitness";
import { verdict } from "../toolkit/verdict";

export const pInitResOldChallC: Attack = {
  id: "replay/pinitres-old-chall-c",
  category: "replay",
  title:
    "The PC answers a new PINIT_REQUEST with the merchant's genuine PInitRes from an earlier transaction.",
  expected:
    "The card refuses PINIT_RESPONSE with 6F00 challengeMismatch; PURCHASE is then out of order (6985).",
  async run(target) {
    const earlier = await prepareInitialized(target);
    await earlier.card.close();
    const card = await RogueCard.connect(target);
    try {
      const { brand } = await card.open(earlier.cardId, target.pin);
      const { result, changed } = await watch(
        target,
        { orderId: earlier.order.id, xids: [earlier.xid], cardId: earlier.cardId },
        async () => {
          const init = await card.pInitRequest({
            lidM: earlier.initiation.lidM,
            language: earlier.initiation.language,
            brand,
          });
          const replayed = await card.pInitResponse(earlier.pInitRes);
          const purchase = await card.purchase({
            od: earlier.initiation.od,
            purchAmt: earlier.initiation.purchAmt,
            profile: "set",
            form: "dualSigned",
          });
          return { init, replayed, purchase };
        },
      );
      const code = setCodeOf(result.replayed);
      return verdict(target, {
        refused:
          result.replayed.sw === SW_SET_CHECK_FAILED &&
          code === "challengeMismatch" &&
          result.purchase.sw === SW_OUT_OF_ORDER,
        refusedBy: "card",
        signal: describeCardAnswer(result.replayed),
        changed,
        detail: `PINIT_RESPONSE ${describeCardAnswer(result.replayed)}, then PURCHASE ${describeCardAnswer(result.purchase)}`,
      });
    } finally {
      await card.close();
    }
  },
};

export const cardReplayAttacks: readonly Attack[] = [pInitResOldChallC];
