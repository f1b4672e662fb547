/**
 * Downgrade (digest 7.3): the PC asks the card for SET's unsigned PReq, which carries no
 * cardholder authentication, for a brand whose policy requires a cardholder certificate (Visa in
 * the lab).
 */
import type { Attack } from "../attack";
import { postToMerchant } from "../toolkit/labHttp";
import { describeCardAnswer, SW_OK } from "../toolkit/rogueCard";
import { prepareInitialized } from "../toolkit/roguePc";
import { describeAnswer, readSetAnswer } from "../toolkit/setAnswer";
import { watch } from "../toolkit/stateWitness";
import { verdict } from "../toolkit/verdict";

export const unsignedVisa: Attack = {
  id: "downgrade/unsigned-preq-visa",
  category: "downgrade",
  title: "The PC has the card build an unsigned PReq for a Visa purchase and sends it to the merchant.",
  expected:
    "The merchant refuses with signatureRequired (Visa requires a cardholder certificate); no authorization.",
  async run(target) {
    const prepared = await prepareInitialized(target);
    try {
      const built = await prepared.card.purchase({
        od: prepared.initiation.od,
        purchAmt: prepared.initiation.purchAmt,
        profile: prepared.initiation.profile,
        form: "unsigned",
      });
      if (built.sw !== SW_OK)
        return verdict(target, {
          refused: true,
          refusedBy: "card",
          signal: describeCardAnswer(built),
          changed: [],
          detail: `the card would not build an unsigned PReq: ${describeCardAnswer(built)}`,
        });
      const { result, changed } = await watch(
        target,
        { orderId: prepared.order.id, xids: [prepared.xid], cardId: prepared.cardId },
        async () => readSetAnswer(await postToMerchant(target, built.data)),
      );
      const signal = result.kind === "error" ? result.code : describeAnswer(result);
      return verdict(target, {
        refused: signal === "signatureRequired",
        refusedBy: "merchant",
        signal,
        changed,
        detail: `merchant answered the unsigned PReq with ${describeAnswer(result)}`,
      });
    } finally {
      await prepared.card.close();
    }
  },
};

export const downgradeAttacks: readonly Attack[] = [unsignedVisa];
