/**
 * Inquiry (InqReq/InqRes, digest 3.6): a stranger asks the merchant about another buyer's
 * purchase, and a PC feeds the card an answer that is not the merchant's answer to this inquiry.
 * The merchant must answer a stranger as it answers an XID it never issued (unknownXID, nothing
 * recorded); the card must take only the InqRes signed for this inquiry's Chall-C2.
 */
import { buildInqReq, encodeCardData, fromHex, INS, schema, wrapMessage } from "@setlab/protocol";
import type { Attack, AttackTarget } from "../attack";
import { postToMerchant } from "../toolkit/labHttp";
import { oiDataOf, readPReq } from "../toolkit/messages";
import { describeCardAnswer, SW_OK, SW_SET_CHECK_FAILED, setCodeOf } from "../toolkit/rogueCard";
import { type CompletedPurchase, completePurchase } from "../toolkit/roguePc";
import { describeAnswer, readSetAnswer } from "../toolkit/setAnswer";
import { watch } from "../toolkit/stateWitness";
import { adversaryProvider, openPki, signerOf } from "../toolkit/stolenKeys";
import { oneOf, verdict } from "../toolkit/verdict";

/** An InqReq about `done`'s purchase, as someone who learned its TransIDs (a PC, the network) builds it. */
async function strangersInqReq(target: AttackTarget, done: CompletedPurchase, signerId?: string) {
  const p = adversaryProvider;
  const transIDs = oiDataOf(readPReq(done.pReq).pReq).transIDs;
  const rrpid = p.random(20);
  const signer = signerId ? await signerOf(openPki(target.pki), signerId) : undefined;
  const value = await buildInqReq(p, {
    transIDs,
    rrpid,
    chall_C2: p.random(20),
    ...(signer ? { signer } : {}),
  });
  return wrapMessage(
    { type: "inquiryRequest", value },
    { rrpid, lid_C: transIDs.lid_C, lid_M: transIDs.lid_M, xid: transIDs.xid },
    { date: new Date() },
  );
}

function strangerAttack(id: string, title: string, signerId?: string): Attack {
  return {
    id,
    category: "splicing",
    title,
    expected:
      "The merchant answers unknownXID, as for an XID it never issued; no status leaves, nothing is recorded on the order.",
    async run(target) {
      const done = await completePurchase(target);
      try {
        const inqReq = await strangersInqReq(target, done, signerId);
        const { result, changed } = await watch(
          target,
          { orderId: done.order.id, xids: [done.xid], cardId: done.cardId },
          async () => readSetAnswer(await postToMerchant(target, inqReq)),
        );
        const signal = result.kind === "error" ? result.code : describeAnswer(result);
        return verdict(target, {
          refused: oneOf(signal, ["unknownXID"]),
          refusedBy: "merchant",
          signal,
          changed,
          detail: `merchant answered ${describeAnswer(result)}`,
        });
      } finally {
        await done.card.close();
      }
    },
  };
}

export const inqReqOtherCardholder = strangerAttack(
  "inquiry/another-cardholders-transaction",
  "Another cardholder signs an InqReq, with its own valid certificate, naming a buyer's purchase (its TransIDs).",
  "visa/cards/visa-nsf",
);

export const inqReqUnsignedStranger = strangerAttack(
  "inquiry/unsigned-stranger",
  "An unsigned InqReq without the purchase's inquiry proof names a buyer's signed purchase (its TransIDs).",
);

/** The card asks about the purchase it just made; the PC answers INQUIRY_RESPONSE with `bend(genuine InqRes)`. */
function cardAttack(
  id: string,
  title: string,
  expectedCodes: readonly string[],
  bend: (done: CompletedPurchase, genuine: Uint8Array, earlier: Uint8Array) => Uint8Array,
): Attack {
  return {
    id,
    category: "replay",
    title,
    expected: `The card refuses INQUIRY_RESPONSE with 6F00 ${expectedCodes.join(" or ")} and then takes the genuine InqRes.`,
    async run(target) {
      const done = await completePurchase(target);
      try {
        const ask = async () => {
          const inqReq = await done.card.must(
            INS.INQUIRY_REQUEST,
            encodeCardData("InquiryInput", { xid: fromHex(done.xid) }),
          );
          return (await postToMerchant(target, inqReq)).bytes;
        };
        // One inquiry answered and accepted: its InqRes is the PC's copy to replay.
        const earlier = await ask();
        const first = await done.card.command(INS.INQUIRY_RESPONSE, earlier);
        if (first.sw !== SW_OK)
          throw new Error(`the card refused the genuine InqRes: ${describeCardAnswer(first)}`);
        const { result, changed } = await watch(
          target,
          { orderId: done.order.id, xids: [done.xid], cardId: done.cardId },
          async () => {
            const genuine = await ask();
            const refused = await done.card.command(INS.INQUIRY_RESPONSE, bend(done, genuine, earlier));
            const after = await done.card.command(INS.INQUIRY_RESPONSE, genuine);
            return { refused, after };
          },
        );
        const code = setCodeOf(result.refused);
        return verdict(target, {
          refused:
            result.refused.sw === SW_SET_CHECK_FAILED &&
            oneOf(code, expectedCodes) &&
            result.after.sw === SW_OK,
          refusedBy: "card",
          signal: describeCardAnswer(result.refused),
          changed,
          detail: `INQUIRY_RESPONSE ${describeCardAnswer(result.refused)}, then the genuine InqRes ${describeCardAnswer(result.after)}`,
        });
      } finally {
        await done.card.close();
      }
    },
  };
}

/** The purchase's PRes, its signed content re-wrapped as an InqRes. */
function pResAsInqRes(done: CompletedPurchase): Uint8Array {
  const w = schema.decodeMessage(done.pRes);
  if (w.message.type !== "purchaseResponse") throw new Error("the purchase's answer is not a PRes");
  return wrapMessage({ type: "inquiryResponse", value: w.message.value }, {}, { date: new Date() });
}

export const inqResReplayedPRes = cardAttack(
  "inquiry/pres-replayed-as-inqres",
  "The PC answers the card's inquiry with the purchase's genuine PRes, re-wrapped as an InqRes.",
  ["challengeMismatch"],
  (done) => pResAsInqRes(done),
);

export const inqResReplayedEarlier = cardAttack(
  "inquiry/earlier-inqres-replayed",
  "The PC answers a new inquiry with the merchant's genuine InqRes to an earlier one.",
  ["challengeMismatch", "unknownRRPID"],
  (_done, _genuine, earlier) => earlier,
);

export const inqResForged = cardAttack(
  "inquiry/forged-inqres",
  "The PC alters the merchant's InqRes (one byte of the signature) before the card sees it.",
  ["signatureFailure", "decodingFailure"],
  (_done, genuine) => {
    const copy = new Uint8Array(genuine);
    copy[copy.length - 1] ^= 0x01;
    return copy;
  },
);

export const inquiryAttacks: readonly Attack[] = [
  inqReqOtherCardholder,
  inqReqUnsignedStranger,
  inqResReplayedPRes,
  inqResReplayedEarlier,
  inqResForged,
];
