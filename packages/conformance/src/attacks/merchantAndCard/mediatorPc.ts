/**
 * The mediator's PC as the adversary (digest 7.11): it sees and relays everything, and it is the
 * one that tells the card the order and the amount. It cannot get a second dual signature over
 * another amount without a new confirmation (the card repeats the signed PReq for the same
 * command and refuses any other with 6985), and an amount or order it alters before the card
 * signs is the amount the card shows and signs, which the merchant then refuses (HOD).
 */
import { bytesEqual, setProfileOf } from "@setlab/protocol";
import type { Attack } from "../attack";
import { postToMerchant } from "../toolkit/labHttp";
import { describeCardAnswer, SW_OK, SW_OUT_OF_ORDER } from "../toolkit/rogueCard";
import { prepareInitialized, preparePReq } from "../toolkit/roguePc";
import { describeAnswer, readSetAnswer } from "../toolkit/setAnswer";
import { watch } from "../toolkit/stateWitness";
import { verdict } from "../toolkit/verdict";

export const purchaseReplayOtherAmount: Attack = {
  id: "mediator/purchase-replay-other-amount",
  category: "mediator",
  title:
    "After the card signed a PReq, the PC sends the PURCHASE command again with ten times the amount (and once more unchanged).",
  expected:
    "The card refuses the other amount with 6985 (no second signature without a new confirmation) and repeats the same PReq bytes for the unchanged command; its transaction keeps the confirmed amount.",
  async run(target) {
    const prepared = await preparePReq(target);
    try {
      const { initiation, card } = prepared;
      const { result, changed } = await watch(
        target,
        { orderId: prepared.order.id, xids: [prepared.xid], cardId: prepared.cardId },
        async () => {
          const other = await card.purchase({
            od: initiation.od,
            purchAmt: { ...initiation.purchAmt, amount: initiation.purchAmt.amount * 10 },
            profile: setProfileOf(initiation.profile),
            form: "dualSigned",
          });
          const same = await card.purchase({
            od: initiation.od,
            purchAmt: initiation.purchAmt,
            profile: setProfileOf(initiation.profile),
            form: "dualSigned",
          });
          const status = await card.status();
          return { other, same, status };
        },
      );
      const repeated = result.same.sw === SW_OK && bytesEqual(result.same.data, prepared.pReq);
      const tx = (result.status.transaction ?? result.status.lastTransaction) as
        | { purchAmt?: { amount?: number } }
        | null
        | undefined;
      const shownAmount = tx?.purchAmt?.amount;
      return verdict(target, {
        refused:
          result.other.sw === SW_OUT_OF_ORDER && repeated && shownAmount === initiation.purchAmt.amount,
        refusedBy: "card",
        signal: describeCardAnswer(result.other),
        changed,
        detail: `other amount: ${describeCardAnswer(result.other)}; same command: ${repeated ? "same PReq bytes" : describeCardAnswer(result.same)}; card's transaction amount ${shownAmount} (confirmed ${initiation.purchAmt.amount})`,
      });
    } finally {
      await prepared.card.close();
    }
  },
};

function pcAlters(
  id: string,
  title: string,
  change: (i: { od: string; purchAmt: { currency: number; amount: number; amtExp10: number } }) => {
    od: string;
    purchAmt: { currency: number; amount: number; amtExp10: number };
  },
): Attack {
  return {
    id,
    category: "mediator",
    title,
    expected:
      "The card signs (and shows) what it was given, and the merchant, recomputing HOD from its own order, refuses the PReq with signatureFailure; no authorization.",
    async run(target) {
      const prepared = await prepareInitialized(target);
      try {
        const { initiation, card } = prepared;
        const changedInput = change({ od: initiation.od, purchAmt: initiation.purchAmt });
        const built = await card.purchase({
          ...changedInput,
          profile: setProfileOf(initiation.profile),
          form: "dualSigned",
        });
        if (built.sw !== SW_OK)
          return verdict(target, {
            refused: true,
            refusedBy: "card",
            signal: describeCardAnswer(built),
            changed: [],
            detail: `the card refused: ${describeCardAnswer(built)}`,
          });
        const status = await card.status();
        const tx = (status.transaction ?? status.lastTransaction) as {
          purchAmt?: { amount?: number };
        } | null;
        const { result, changed } = await watch(
          target,
          { orderId: prepared.order.id, xids: [prepared.xid], cardId: prepared.cardId },
          async () => readSetAnswer(await postToMerchant(target, built.data)),
        );
        const signal = result.kind === "error" ? result.code : describeAnswer(result);
        return verdict(target, {
          refused: signal === "signatureFailure" && tx?.purchAmt?.amount === changedInput.purchAmt.amount,
          refusedBy: "merchant",
          signal,
          changed,
          detail: `card confirmed and signed amount ${tx?.purchAmt?.amount} (order ${initiation.purchAmt.amount}); merchant answered ${describeAnswer(result)}`,
        });
      } finally {
        await prepared.card.close();
      }
    },
  };
}

export const pcLowersAmount = pcAlters(
  "mediator/pc-lowers-amount",
  "The PC tells the card a tenth of the order's amount, so the buyer confirms and the card signs the lower one.",
  (i) => ({ ...i, purchAmt: { ...i.purchAmt, amount: Math.max(1, Math.floor(i.purchAmt.amount / 10)) } }),
);

export const pcAltersOrder = pcAlters(
  "mediator/pc-alters-order-description",
  "The PC tells the card another order description than the merchant's.",
  (i) => ({ ...i, od: Buffer.from("1 x SET Lab teaspoon").toString("base64") }),
);

export const mediatorAttacks: readonly Attack[] = [purchaseReplayOtherAmount, pcLowersAmount, pcAltersOrder];
