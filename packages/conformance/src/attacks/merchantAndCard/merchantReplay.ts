/**
 * Replays at the merchant (digest 7.6): the PC, or a cardholder's own wallet, sends again what an
 * earlier transaction carried (a PReq, its Chall-M, its RRPID, its XID). A correct merchant answers
 * a true duplicate with its stored PRes and refuses everything else, and no second authorization
 * follows.
 */
import { bytesEqual, wrapMessage } from "@setlab/protocol";
import type { Attack, AttackTarget } from "../attack";
import { walletInputsOf, walletPReq } from "../toolkit/cardholderWallet";
import { authorizationsFor, createOrder, postToMerchant } from "../toolkit/labHttp";
import { oiDataOf, readPInitReq, readPReq } from "../toolkit/messages";
import { completePurchase, prepareInitialized } from "../toolkit/roguePc";
import { describeAnswer, readSetAnswer } from "../toolkit/setAnswer";
import { watch } from "../toolkit/stateWitness";
import { openPki } from "../toolkit/stolenKeys";
import { oneOf, verdict } from "../toolkit/verdict";

const approvedCount = async (target: AttackTarget, xid: string) =>
  (await authorizationsFor(target, xid)).filter((a) => a.authCode === "approved").length;

export const preqDuplicate: Attack = {
  id: "replay/preq-duplicate",
  category: "replay",
  title: "The PC sends an answered PReq to the merchant a second time, byte for byte.",
  expected: "The merchant answers with its stored PRes, byte for byte; no second AuthReq or authorization.",
  async run(target) {
    const done = await completePurchase(target);
    try {
      const { result: again, changed } = await watch(
        target,
        { orderId: done.order.id, xids: [done.xid], cardId: done.cardId },
        () => postToMerchant(target, done.pReq),
      );
      const same = bytesEqual(again.bytes, done.pRes);
      const approved = await approvedCount(target, done.xid);
      const read = await readSetAnswer(again);
      return verdict(target, {
        refused: same && approved === 1,
        refusedBy: "merchant",
        signal: same ? "stored PRes (duplicate)" : describeAnswer(read),
        changed,
        detail: `second answer ${same ? "is the stored PRes byte for byte" : `differs: ${describeAnswer(read)}`}; ${approved} approved authorization(s) for the XID`,
      });
    } finally {
      await done.card.close();
    }
  },
};

export const preqOldChallM: Attack = {
  id: "replay/preq-old-chall-m",
  category: "replay",
  title:
    "A PReq for a fresh transaction carries the Chall-M of an earlier one (dual-signed by the cardholder).",
  expected: "The merchant refuses with challengeMismatch; the order stays initiated, no authorization.",
  async run(target) {
    const pki = openPki(target.pki);
    const earlier = await prepareInitialized(target);
    await earlier.card.close();
    const now = await prepareInitialized(target);
    try {
      const fresh = await walletInputsOf(pki, now);
      const old = await walletInputsOf(pki, earlier);
      const pReq = await walletPReq(pki, { ...fresh, chall_M: old.chall_M });
      const { result, changed } = await watch(
        target,
        { orderId: now.order.id, xids: [now.xid, earlier.xid], cardId: now.cardId },
        async () => readSetAnswer(await postToMerchant(target, pReq.der)),
      );
      const signal = result.kind === "error" ? result.code : describeAnswer(result);
      return verdict(target, {
        refused: oneOf(signal, ["challengeMismatch", "unknownXID"]),
        refusedBy: "merchant",
        signal,
        changed,
        detail: `merchant answered ${describeAnswer(result)}`,
      });
    } finally {
      await now.card.close();
    }
  },
};

export const preqRrpidReuse: Attack = {
  id: "replay/preq-rrpid-reuse",
  category: "replay",
  title: "A new transaction's PReq re-uses the RRPID of an answered PReq, with different content.",
  expected:
    "The merchant refuses with unknownRRPID (the RRPID is taken); no authorization for either XID changes.",
  async run(target) {
    const pki = openPki(target.pki);
    const done = await completePurchase(target);
    await done.card.close();
    const now = await prepareInitialized(target);
    try {
      const usedRrpid = oiDataOf(readPReq(done.pReq).pReq).rrpid;
      const pReq = await walletPReq(pki, { ...(await walletInputsOf(pki, now)), rrpid: usedRrpid });
      const { result, changed } = await watch(
        target,
        { orderId: now.order.id, xids: [now.xid, done.xid], cardId: now.cardId },
        async () => readSetAnswer(await postToMerchant(target, pReq.der)),
      );
      const signal = result.kind === "error" ? result.code : describeAnswer(result);
      return verdict(target, {
        refused: oneOf(signal, ["unknownRRPID"]),
        refusedBy: "merchant",
        signal,
        changed,
        detail: `merchant answered ${describeAnswer(result)}`,
      });
    } finally {
      await now.card.close();
    }
  },
};

export const pInitReqRrpidReuse: Attack = {
  id: "replay/pinitreq-rrpid-reuse",
  category: "replay",
  title: "The PC sends a PInitReq for another order that re-uses an earlier PInitReq's RRPID.",
  expected: "The merchant refuses with unknownRRPID; the other order stays created.",
  async run(target) {
    const earlier = await prepareInitialized(target);
    await earlier.card.close();
    const other = await createOrder(target);
    const req = readPInitReq(earlier.pInitReq);
    const lidM = new Uint8Array(Buffer.from(other.lidM, "utf8"));
    const crafted = wrapMessage(
      { type: "purchaseInitRequest", value: { ...req, localID_M: lidM } },
      { rrpid: req.rrpid, lid_C: req.localID_C, lid_M: lidM },
      { date: new Date() },
    );
    const { result, changed } = await watch(target, { orderId: other.id, xids: [earlier.xid] }, async () =>
      readSetAnswer(await postToMerchant(target, crafted)),
    );
    const signal = result.kind === "error" ? result.code : describeAnswer(result);
    return verdict(target, {
      refused: oneOf(signal, ["unknownRRPID"]),
      refusedBy: "merchant",
      signal,
      changed,
      detail: `merchant answered ${describeAnswer(result)}`,
    });
  },
};

export const preqXidReuseOtherAmount: Attack = {
  id: "replay/preq-xid-reuse-other-amount",
  category: "replay",
  title:
    "After an authorized purchase, a new PReq under the same XID (its Chall-C and Chall-M) asks for ten times the amount.",
  expected:
    "The merchant refuses (the XID's order is no longer awaiting a PReq); still one authorization for the XID.",
  async run(target) {
    const pki = openPki(target.pki);
    const done = await completePurchase(target);
    await done.card.close();
    const inputs = await walletInputsOf(pki, done);
    const pReq = await walletPReq(pki, {
      ...inputs,
      purchAmt: { ...inputs.purchAmt, amount: inputs.purchAmt.amount * 10 },
    });
    const { result, changed } = await watch(
      target,
      { orderId: done.order.id, xids: [done.xid], cardId: done.cardId },
      async () => readSetAnswer(await postToMerchant(target, pReq.der)),
    );
    const approved = await approvedCount(target, done.xid);
    const signal = result.kind === "error" ? result.code : describeAnswer(result);
    return verdict(target, {
      refused: result.kind === "error" && approved === 1,
      refusedBy: "merchant",
      signal,
      changed,
      detail: `merchant answered ${describeAnswer(result)}; ${approved} approved authorization(s) for the XID`,
    });
  },
};

export const merchantReplayAttacks: readonly Attack[] = [
  preqDuplicate,
  preqOldChallM,
  preqRrpidReuse,
  pInitReqRrpidReuse,
  preqXidReuseOtherAmount,
];
