/**
 * Attacks on settlement batches (BatchAdminReq, CapReq's SaleDetail.BatchID, the NewBatchID of a
 * CredReq, digest 3.7): another merchant closing the lab merchant's batch, a capture or a credit
 * into a batch already closed, and the reversal of a capture already settled. Each must be
 * refused with nothing changed: the batch (the gateway's settlement route) and the account's
 * holds and postings are compared before and after.
 */
import type { CapRevOrCredKind } from "@setlab/protocol";
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
  type HeldAuthorization,
  labMerchant,
  merchantB,
  sendCapReq,
} from "../toolkit/capReqForger";
import {
  type CapRevOrCredItem,
  capRevOrCredReqOf,
  capturedAuthorization,
  sendCapRevOrCred,
} from "../toolkit/capRevOrCredForger";
import { accountOf } from "../toolkit/labHttp";
import { account, accountVerdict, capRevOrCredAnswers } from "./accountVerdict";
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

/**
 * A capture of the lab card, its batch then closed (settled), then `kind` acting on it (`item`
 * given the authorization and the closed batch): refused when the gateway answers one of `codes`
 * and the closed batch (its settlement route) and the account are unchanged.
 */
async function onSettledCapture(
  target: Parameters<Attack["run"]>[0],
  kind: CapRevOrCredKind,
  item: (a: HeldAuthorization, batchID: number) => CapRevOrCredItem,
  codes: readonly string[],
): Promise<AttackOutcome> {
  const f = forgerOf(target);
  const a = await capturedAuthorization(target, f, 100);
  const closed = await sendBatchAdminReq(target, f, await batchAdminReqOf(f, "close", 0));
  if (closed.type !== "batchAdminRes" || closed.code !== "success")
    throw new Error(`the genuine close failed: ${describeBatchAdmin(closed)}`);
  const witness = async () =>
    `${await batchWitness(target, labMerchant.merID, closed.batchID)} ${await account(target)}`;
  const before = await witness();
  const req = await capRevOrCredReqOf(f, kind, [item(a, closed.batchID)]);
  const { answer } = await sendCapRevOrCred(target, f, kind, req.bytes);
  const { signalOf, describe } = capRevOrCredAnswers;
  return accountVerdict(
    signalOf(answer),
    `${describe(answer)}; batch ${closed.batchID}`,
    codes,
    before,
    await witness(),
  );
}

export const creditIntoClosedBatch: Attack = {
  id: "batch/credit-into-closed-batch",
  category: "replay",
  title:
    "The lab merchant captures, closes the batch, then credits part of the capture into that closed batch (NewBatchID).",
  expected: "CapRevOrCredCode batchClosed; nothing credited, the closed batch and the account unchanged.",
  run: (target) =>
    onSettledCapture(
      target,
      "credit",
      (a, batchID) => ({ of: a, captured: 100, amount: 40, newBatchID: batchID }),
      ["batchClosed"],
    ),
};

export const reversalOfSettledCapture: Attack = {
  id: "batch/reversal-of-settled-capture",
  category: "replay",
  title: "The lab merchant captures, closes the batch (the capture is settled), then reverses the capture.",
  expected:
    "CapRevOrCredCode originalProcessed (settled money goes back by a credit); the closed batch and the account unchanged.",
  run: (target) =>
    onSettledCapture(target, "captureReversal", (a) => ({ of: a, captured: 100 }), ["originalProcessed"]),
};

export const batchAttacks: readonly Attack[] = [
  batchAdminOfAnotherMerchant,
  captureIntoClosedBatch,
  creditIntoClosedBatch,
  reversalOfSettledCapture,
];
