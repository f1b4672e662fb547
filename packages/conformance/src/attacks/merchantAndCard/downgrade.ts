import { setProfileOf } from "@setlab/protocol";
/**
 * Downgrade (digest 7.3): SET's unsigned PReq, which carries no cardholder authentication, for a
 * brand whose policy requires a cardholder certificate (Visa in the lab). The PC asks the card for
 * one (the card itself refuses, since the gateway certificate says cardCertRequired); a wallet
 * outside the card, holding the card's data, builds one and sends it to the merchant (the merchant
 * refuses).
 */
import type { Attack, AttackTarget } from "../attack";
import { walletInputsOf, walletPReq } from "../toolkit/cardholderWallet";
import { postToMerchant } from "../toolkit/labHttp";
import { describeCardAnswer, SW_OK } from "../toolkit/rogueCard";
import { type PreparedPurchase, prepareInitialized } from "../toolkit/roguePc";
import { describeAnswer, readSetAnswer } from "../toolkit/setAnswer";
import { watch } from "../toolkit/stateWitness";
import { openPki } from "../toolkit/stolenKeys";
import { verdict } from "../toolkit/verdict";

/** Post the unsigned PReq to the merchant, watching the order: refused means signatureRequired. */
async function merchantVerdict(target: AttackTarget, prepared: PreparedPurchase, pReq: Uint8Array) {
  const { result, changed } = await watch(
    target,
    { orderId: prepared.order.id, xids: [prepared.xid], cardId: prepared.cardId },
    async () => readSetAnswer(await postToMerchant(target, pReq)),
  );
  const signal = result.kind === "error" ? result.code : describeAnswer(result);
  return verdict(target, {
    refused: signal === "signatureRequired",
    refusedBy: "merchant",
    signal,
    changed,
    detail: `merchant answered the unsigned PReq with ${describeAnswer(result)}`,
  });
}

export const unsignedVisa: Attack = {
  id: "downgrade/unsigned-preq-visa",
  category: "downgrade",
  title: "The PC has the card build an unsigned PReq for a Visa purchase and sends it to the merchant.",
  expected:
    "The card refuses to build it (6F00 signatureRequired), or the merchant refuses it with signatureRequired; no authorization.",
  async run(target) {
    const prepared = await prepareInitialized(target);
    try {
      const built = await prepared.card.purchase({
        od: prepared.initiation.od,
        purchAmt: prepared.initiation.purchAmt,
        profile: setProfileOf(prepared.initiation.profile),
        form: "unsigned",
      });
      if (built.sw !== SW_OK)
        return verdict(target, {
          refused: describeCardAnswer(built) === "6F00 signatureRequired",
          refusedBy: "card",
          signal: describeCardAnswer(built),
          changed: [],
          detail: `the card would not build an unsigned PReq: ${describeCardAnswer(built)}`,
        });
      return await merchantVerdict(target, prepared, built.data);
    } finally {
      await prepared.card.close();
    }
  },
};

export const unsignedVisaFromWallet: Attack = {
  id: "downgrade/unsigned-preq-visa-wallet",
  category: "downgrade",
  title: "A wallet outside the card, holding a Visa card's data, sends the merchant an unsigned PReq.",
  expected:
    "The merchant refuses with signatureRequired (Visa requires a cardholder certificate); no authorization.",
  async run(target) {
    const pki = openPki(target.pki);
    const prepared = await prepareInitialized(target);
    try {
      const pReq = await walletPReq(pki, { ...(await walletInputsOf(pki, prepared)), unsigned: true });
      return await merchantVerdict(target, prepared, pReq.der);
    } finally {
      await prepared.card.close();
    }
  },
};

export const downgradeAttacks: readonly Attack[] = [unsignedVisa, unsignedVisaFromWallet];
