/**
 * Error loops (digest 3.8): an Error is never answered with an Error. The PC posts SET Errors to
 * the merchant's /set, naming a live transaction in the header, unsigned and signed with the
 * lab merchant's own key; the merchant records them and answers an empty body, and the order is
 * untouched.
 */
import { errorMessage, SetError } from "@setlab/protocol";
import type { Attack } from "../attack";
import { postToMerchant } from "../toolkit/labHttp";
import { prepareInitialized } from "../toolkit/roguePc";
import { describeAnswer, readSetAnswer } from "../toolkit/setAnswer";
import { watch } from "../toolkit/stateWitness";
import { adversaryProvider, openPki, signerOf } from "../toolkit/stolenKeys";
import { verdict } from "../toolkit/verdict";

export const errorToMerchant: Attack = {
  id: "error-loop/error-to-merchant",
  category: "error-loop",
  title: "The PC posts SET Errors (unsigned, and signed) about a live transaction to the merchant's /set.",
  expected: "Each gets an empty body (never an Error back); the order and the gateway are untouched.",
  async run(target) {
    const prepared = await prepareInitialized(target);
    await prepared.card.close();
    const p = adversaryProvider;
    const failure = new SetError("unspecifiedFailure", "the cardholder's wallet failed");
    const unsigned = await errorMessage(p, failure, prepared.pInitRes);
    const signer = await signerOf(openPki(target.pki), "visa/merchant/signature");
    const signed = await errorMessage(p, failure, prepared.pInitRes, { signer });
    const { result, changed } = await watch(
      target,
      { orderId: prepared.order.id, xids: [prepared.xid], cardId: prepared.cardId },
      async () => [
        await readSetAnswer(await postToMerchant(target, unsigned)),
        await readSetAnswer(await postToMerchant(target, signed)),
      ],
    );
    const allEmpty = result.every((a) => a.kind === "empty" && a.status === 200);
    return verdict(target, {
      refused: allEmpty,
      refusedBy: "merchant",
      signal: allEmpty ? "empty body" : result.map(describeAnswer).join(" / "),
      changed,
      detail: `answers: ${result.map(describeAnswer).join(" / ")}`,
    });
  },
};

export const errorLoopAttacks: readonly Attack[] = [errorToMerchant];
