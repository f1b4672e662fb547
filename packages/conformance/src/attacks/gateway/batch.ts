/**
 * Attacks on settlement batches (BatchAdminReq, CapReq's SaleDetail.BatchID, digest 3.7): another
 * merchant closing the lab merchant's batch, and a capture into a batch already closed. Each must
 * be refused with nothing changed: the batch (the gateway's settlement route) and the account's
 * holds and postings are compared before and after.
 */
import type { Attack, AttackOutcome } from "../attack";
import {
  type BatchAdminAnswer,
  batchAdminReqOf,
  batchWitness,
  describeBatchAdmin,
  sendBatchAdminReq,
} from "../toolkit/batchAdminForger";
import {
  approvedAuthorization,
  capReqOf,
  describeCapture,
  labMerchant,
  merchantB,
  sendCapReq,
} from "../toolkit/capReqForger";
import { accountOf } from "../toolkit/labHttp";
import { forgerOf, missingFixture } from "./gatewayVerdict";

/** The lab merchant's open batch, after a genuine capture put something in it. */
async function openBatchWithACapture(target: Parameters<Attack["run"]>[0]) {
  const f = forgerOf(target);
  const a = await approvedAuthorization(target, f, 100);
  const captured = await sendCapReq(target, f, (await capReqOf(f, f.p, [{ of: a, amount: 100 }])).bytes);
  if (captured.answer.type !== "capRes" || captured.answer.codes[0] !== "success")
    throw new Error(`the genuine capture failed: ${describeCapture(captured.answer)}`);
  const query = await sendBatchAdminReq(target, f, await batchAdminReqOf(f, "query", 0));
  if (query.type !== "batchAdminRes" || query.code !== "success")
    throw new Error(`the genuine batch query failed: ${describeBatchAdmin(query)}`);
  return query.batchID;
}

const signalOf = (a: BatchAdminAnswer) => (a.type === "unreadable" ? undefined : a.code);

export const batchAdminOfAnotherMerchant: Attack = {
  id: "batch/admin-of-another-merchant",
  category: "splicing",
  title: `Merchant B (${merchantB.merID}, its own valid certificate) closes the lab merchant's open batch: once naming the lab merchant's MerchantID, once its own.`,
  expected:
    "invalidCertificate (BatchAdminRRTags names another merchant than the signer), then unknownBatch (merchant B has no such batch); the lab merchant's batch stays open.",
  async run(target): Promise<AttackOutcome> {
    const f = forgerOf(target);
    if (!f.has(merchantB.signer)) missingFixture(merchantB.signer);
    const batchID = await openBatchWithACapture(target);
    const before = await batchWitness(target, labMerchant.merID, batchID);
    const posing = await sendBatchAdminReq(
      target,
      f,
      await batchAdminReqOf(f, "close", batchID, { merchant: merchantB, merID: labMerchant.merID }),
      merchantB,
    );
    const own = await sendBatchAdminReq(
      target,
      f,
      await batchAdminReqOf(f, "close", batchID, { merchant: merchantB }),
      merchantB,
    );
    const after = await batchWitness(target, labMerchant.merID, batchID);
    const refused = signalOf(posing) === "invalidCertificate" && signalOf(own) === "unknownBatch";
    return {
      refused,
      refusedBy: "gateway",
      signal: `${signalOf(posing) ?? "unreadable"}, ${signalOf(own) ?? "unreadable"}`,
      stateUnchanged: before === after,
      detail: `naming the lab merchant: ${describeBatchAdmin(posing)}; its own MerchantID: ${describeBatchAdmin(own)}; batch ${batchID} ${before === after ? "unchanged" : "changed"}`,
    };
  },
};

export const captureIntoClosedBatch: Attack = {
  id: "batch/capture-into-closed-batch",
  category: "replay",
  title:
    "The lab merchant closes its batch, then captures another authorization into it (SaleDetail.BatchID).",
  expected: "CapCode batchClosed; nothing captured, the closed batch and the account unchanged.",
  async run(target): Promise<AttackOutcome> {
    const f = forgerOf(target);
    const batchID = await openBatchWithACapture(target);
    const closed = await sendBatchAdminReq(target, f, await batchAdminReqOf(f, "close", batchID));
    if (closed.type !== "batchAdminRes" || closed.code !== "success")
      throw new Error(`the genuine close failed: ${describeBatchAdmin(closed)}`);
    const late = await approvedAuthorization(target, f, 100);
    const before = `${await batchWitness(target, labMerchant.merID, batchID)} ${JSON.stringify(await accountOf(target, "visa-approve"))}`;
    const { answer } = await sendCapReq(
      target,
      f,
      (await capReqOf(f, f.p, [{ of: late, amount: 100 }], { batchID })).bytes,
    );
    const after = `${await batchWitness(target, labMerchant.merID, batchID)} ${JSON.stringify(await accountOf(target, "visa-approve"))}`;
    const signal =
      answer.type === "capRes" ? answer.codes[0] : answer.type === "error" ? answer.code : undefined;
    return {
      refused: signal === "batchClosed",
      refusedBy: "gateway",
      ...(signal ? { signal } : {}),
      stateUnchanged: before === after,
      detail: `${describeCapture(answer)}; batch ${batchID} and account ${before === after ? "unchanged" : "changed"}`,
    };
  },
};

export const batchAttacks: readonly Attack[] = [batchAdminOfAnotherMerchant, captureIntoClosedBatch];
