import { nodeProvider } from "@setlab/protocol";
import { useMerchantTestKit } from "../testing/merchantTestKit";
import { CapRevOrCredInputError } from "./capRevOrCred";
import type { Merchant } from "./merchant";
import { OrderStateError } from "./orderState";

const p = nodeProvider();
const kit = useMerchantTestKit(p, "credit");

const description = "1 x SET Lab mug";
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
const jpy = (amount: number) => ({ currency: 392, amount, amtExp10: 0 });

/** A merchant with one order authorized and, unless `capture` is false, captured in full or `capture`. */
async function capturedOrder(capture: number | boolean = true) {
  const m = kit.merchant();
  const order = await m.merchant.createOrder({ description, ...purchAmt });
  await kit.buy(m, order.lidM, { description, purchAmt });
  if (capture !== false) await m.merchant.capture(order.id, capture === true ? {} : { amount: jpy(capture) });
  return { merchant: m.merchant, gateway: m.gateway, id: order.id, repo: m.repo };
}

const types = async (merchant: Merchant, id: number) => (await merchant.messages(id)).map((m) => m.type);

describe("merchant: refund, reverseRefund, reverseCapture", () => {
  test("a partial refund, then the rest: partiallyRefunded, then refunded, each with its refunded event and the order's history", async () => {
    const { merchant, gateway, id } = await capturedOrder();
    const heard: string[] = [];
    merchant.on("*", (e) => {
      heard.push(`${e.type} ${e.refundedAmount?.amount ?? ""} ${e.totalRefunded?.amount ?? ""}`);
    });
    const partly = await merchant.refund(id, { amount: jpy(2800) });
    expect(partly.state).toBe("partiallyRefunded");
    expect(partly.authorization?.capRevOrCreds?.[0]).toMatchObject({
      kind: "credit",
      code: "success",
      actualAmt: jpy(2800),
      batchID: 1,
      batchSequenceNum: 2,
    });
    // a further partial credit re-enters partiallyRefunded, and is announced too
    expect((await merchant.refund(id, { amount: jpy(1000) })).state).toBe("partiallyRefunded");
    const all = await merchant.refund(id);
    expect(all.state).toBe("refunded");
    expect(all.authorization?.capRevOrCreds?.[2]).toMatchObject({ code: "success", actualAmt: jpy(9000) });
    expect(heard).toEqual(["refunded 2800 2800", "refunded 1000 3800", "refunded 9000 12800"]);
    expect(gateway.credits.booked.map((b) => b.amount)).toEqual([2800n, 1000n, 9000n]);
    expect((await types(merchant, id)).slice(-6)).toEqual([
      "creditRequest",
      "creditResponse",
      "creditRequest",
      "creditResponse",
      "creditRequest",
      "creditResponse",
    ]);
    const history = (await merchant.orderView(id))?.history.map((h) => h.state);
    expect(history?.slice(-3)).toEqual(["partiallyRefunded", "partiallyRefunded", "refunded"]);
  });

  test("refused before any message: more than is left to refund, another currency, nothing captured, no order", async () => {
    const { merchant, gateway, id } = await capturedOrder(10000);
    const calls = gateway.calls;
    await expect(merchant.refund(id, { amount: jpy(10001) })).rejects.toMatchObject({ code: "overAmount" });
    await expect(
      merchant.refund(id, { amount: { currency: 840, amount: 1, amtExp10: -2 } }),
    ).rejects.toMatchObject({
      code: "invalidAmount",
    });
    await expect(merchant.refund(id, { amount: jpy(0) })).rejects.toMatchObject({ code: "invalidAmount" });
    await expect(merchant.refund(9999)).rejects.toMatchObject({ code: "noSuchOrder" });
    await expect(merchant.reverseRefund(id)).rejects.toThrow(OrderStateError);
    const uncaptured = await capturedOrder(false);
    await expect(uncaptured.merchant.refund(uncaptured.id)).rejects.toThrow(OrderStateError);
    await expect(uncaptured.merchant.reverseCapture(uncaptured.id)).rejects.toThrow(OrderStateError);
    expect(gateway.calls).toBe(calls);
    expect((await merchant.order(id))?.state).toBe("partiallyCaptured");
    await merchant.refund(id, { amount: jpy(6000) });
    await expect(merchant.refund(id, { amount: jpy(4001) })).rejects.toBeInstanceOf(CapRevOrCredInputError);
  });

  test("with an idempotency key, a repeated refund acts once; the key with another refund is refused", async () => {
    const { merchant, gateway, id } = await capturedOrder();
    const first = await merchant.refund(id, { amount: jpy(1000), idempotencyKey: "refund-1" });
    const again = await merchant.refund(id, { amount: jpy(1000), idempotencyKey: "refund-1" });
    expect(again.authorization?.capRevOrCreds).toHaveLength(1);
    expect(again.state).toBe(first.state);
    expect(gateway.credits.booked).toHaveLength(1);
    await expect(
      merchant.refund(id, { amount: jpy(2000), idempotencyKey: "refund-1" }),
    ).rejects.toMatchObject({
      code: "idempotencyKeyReused",
    });
    await expect(merchant.reverseCapture(id, { idempotencyKey: "refund-1" })).rejects.toMatchObject({
      code: "idempotencyKeyReused",
    });
    await expect(merchant.refund(id, { idempotencyKey: "" })).rejects.toThrow();
  });

  test("a lost answer leaves the order where it was; the next call sends the same bytes and the gateway books it once", async () => {
    const { merchant, gateway, id } = await capturedOrder();
    gateway.credits.drop = true;
    const lost = await merchant.refund(id, { amount: jpy(500) });
    expect(lost.state).toBe("captured");
    expect(lost.authorization?.capRevOrCreds?.[0].failure).toMatch(/unreachable/);
    await expect(merchant.refund(id, { amount: jpy(600) })).rejects.toMatchObject({ code: "requestPending" });
    const sent = (await merchant.messages(id)).filter((m) => m.type === "creditRequest");
    const done = await merchant.refund(id, { amount: jpy(500) });
    expect(done.state).toBe("partiallyRefunded");
    expect(done.authorization?.capRevOrCreds?.[0]).not.toHaveProperty("failure");
    const all = (await merchant.messages(id)).filter((m) => m.type === "creditRequest");
    expect(all).toHaveLength(1);
    expect(all[0].der).toEqual(sent[0].der);
    expect(gateway.credits.booked).toHaveLength(1);
  });

  test("a refusal records its code and leaves the order where it was", async () => {
    const { merchant, gateway, id } = await capturedOrder();
    gateway.credits.code = "batchClosed";
    const refused = await merchant.refund(id, { amount: jpy(100) });
    expect(refused.state).toBe("captured");
    expect(refused.authorization?.capRevOrCreds?.[0]).toMatchObject({ code: "batchClosed" });
    gateway.credits.code = undefined;
    expect((await merchant.refund(id, { amount: jpy(100) })).state).toBe("partiallyRefunded");
  });

  test("a refund reversal takes back a credit (refundReversed, a reversed event), then the money may be refunded again", async () => {
    const { merchant, id } = await capturedOrder();
    const heard: string[] = [];
    merchant.on("reversed", (e) => {
      heard.push(`${e.reversal} ${e.reversedAmount?.amount} ${e.totalRefunded?.amount}`);
    });
    const credited = await merchant.refund(id, { amount: jpy(3000) });
    const creditId = credited.authorization!.capRevOrCreds![0].id;
    await merchant.refund(id, { amount: jpy(1000) });
    await expect(merchant.reverseRefund(id, { creditId, amount: jpy(3001) })).rejects.toMatchObject({
      code: "overAmount",
    });
    await expect(merchant.reverseRefund(id, { creditId: "00" })).rejects.toMatchObject({
      code: "unknownCredit",
    });
    const back = await merchant.reverseRefund(id, { creditId });
    expect(back.state).toBe("refundReversed");
    expect(heard).toEqual(["refund 3000 1000"]);
    expect(back.authorization?.capRevOrCreds?.at(-1)).toMatchObject({
      kind: "creditReversal",
      creditId,
      code: "success",
    });
    await expect(merchant.reverseRefund(id, { creditId })).rejects.toMatchObject({ code: "overAmount" });
    // the other credit taken back too: refundReversed entered again, announced again
    expect((await merchant.reverseRefund(id)).state).toBe("refundReversed");
    expect(heard).toEqual(["refund 3000 1000", "refund 1000 0"]);
    expect((await merchant.refund(id)).state).toBe("refunded");
  });

  test("a capture reversal: captureReversed, a reversed event; refused while a credit stands, and final", async () => {
    const { merchant, id } = await capturedOrder();
    await merchant.refund(id, { amount: jpy(100) });
    await expect(merchant.reverseCapture(id)).rejects.toThrow(OrderStateError);
    await merchant.reverseRefund(id);
    const heard: string[] = [];
    merchant.on("reversed", (e) => {
      heard.push(`${e.reversal} ${e.reversedAmount?.amount}`);
    });
    const reversed = await merchant.reverseCapture(id);
    expect(reversed.state).toBe("captureReversed");
    expect(heard).toEqual(["capture 12800"]);
    await expect(merchant.refund(id)).rejects.toThrow(OrderStateError);
    await expect(merchant.reverseCapture(id)).rejects.toThrow(OrderStateError);
  });

  test("two refunds at once are taken one after the other: both recorded, neither lost", async () => {
    const { merchant, gateway, id } = await capturedOrder();
    const [a, b] = await Promise.all([
      merchant.refund(id, { amount: jpy(100) }),
      merchant.refund(id, { amount: jpy(200) }),
    ]);
    expect([a.state, b.state]).toEqual(["partiallyRefunded", "partiallyRefunded"]);
    const entries = (await merchant.order(id))?.authorization?.capRevOrCreds ?? [];
    expect(entries.map((e) => e.code)).toEqual(["success", "success"]);
    // dated apart, so the gateway sees two requests, not one twice
    expect(new Set(entries.map((e) => e.reqDate)).size).toBe(2);
    expect(gateway.credits.booked).toHaveLength(2);
  });
});

describe("merchant: refund of a sale (captured by its AuthReq)", () => {
  test("a sold order is refunded, the refund taken back and its capture reversed with the sale's CapToken, each in its history", async () => {
    const m = kit.merchant({ config: { captureNow: true } });
    const order = await m.merchant.createOrder({ description, ...purchAmt });
    await kit.buy(m, order.lidM, { description, purchAmt });
    const id = order.id;
    expect((await m.merchant.order(id))?.state).toBe("captured");
    const partly = await m.merchant.refund(id, { amount: jpy(2800) });
    expect(partly.state).toBe("partiallyRefunded");
    expect(partly.authorization?.capRevOrCreds?.[0]).toMatchObject({ code: "success", actualAmt: jpy(2800) });
    await expect(m.merchant.refund(id, { amount: jpy(10001) })).rejects.toMatchObject({ code: "overAmount" });
    expect((await m.merchant.reverseRefund(id)).state).toBe("refundReversed");
    expect((await m.merchant.reverseCapture(id)).state).toBe("captureReversed");
    expect(m.gateway.credits.booked.map((b) => `${b.kind} ${b.amount}`)).toEqual([
      "credit 2800",
      "creditReversal 2800",
      "captureReversal 12800",
    ]);
    const history = (await m.merchant.orderView(id))?.history.map((h) => `${h.state}: ${h.detail}`);
    expect(history?.slice(-4)).toEqual([
      expect.stringMatching(/^captured: sold/),
      "partiallyRefunded: credited JPY 2800",
      "refundReversed: credit reversed JPY 2800",
      "captureReversed: capture reversed JPY 12800",
    ]);
  });
});

describe("merchant: refund, reverseRefund, reverseCapture into a named batch (NewBatchID)", () => {
  /** Order A captured into batch 1, which is then closed; order B captured into batch 2 (open). */
  async function twoBatches() {
    const m = kit.merchant();
    const ids: number[] = [];
    for (const _ of [1, 2]) {
      const order = await m.merchant.createOrder({ description, ...purchAmt });
      await kit.buy(m, order.lidM, { description, purchAmt });
      await m.merchant.capture(order.id);
      if (ids.length === 0) await m.merchant.closeBatch();
      ids.push(order.id);
    }
    return { ...m, a: ids[0], b: ids[1] };
  }

  test("a credit named into the open batch lands there; into a closed or unknown batch it is refused and nothing moves", async () => {
    const { merchant, gateway, a, b } = await twoBatches();
    const closed = await merchant.refund(b, { amount: jpy(100), batchId: 1 });
    expect(closed.state).toBe("captured");
    expect(closed.authorization?.capRevOrCreds?.[0]).toMatchObject({ newBatchID: 1, code: "batchClosed" });
    const unknown = await merchant.reverseCapture(b, { batchId: 7 });
    expect(unknown.state).toBe("captured");
    expect(unknown.authorization?.capRevOrCreds?.[1]).toMatchObject({ newBatchID: 7, code: "batchUnknown" });
    expect(gateway.credits.booked).toEqual([]);
    expect(gateway.batches.map((x) => x.capRevOrCreds)).toEqual([[], []]);
    // order A's capture is settled in batch 1; its credit goes into batch 2, after B's capture
    const credited = await merchant.refund(a, { amount: jpy(2800), batchId: 2 });
    expect(credited.state).toBe("partiallyRefunded");
    expect(credited.authorization?.capRevOrCreds?.[0]).toMatchObject({
      newBatchID: 2,
      code: "success",
      batchID: 2,
      batchSequenceNum: 2,
    });
    const back = await merchant.reverseRefund(a, { batchId: 2 });
    expect(back.authorization?.capRevOrCreds?.[1]).toMatchObject({ batchID: 2, batchSequenceNum: 3 });
    expect(gateway.batches[1].capRevOrCreds.map((x) => `${x.kind} ${x.amount}`)).toEqual([
      "credit 2800",
      "creditReversal 2800",
    ]);
  });

  test("refused before any message: a batch that is no batch number, the same key with another batch", async () => {
    const { merchant, gateway, a } = await twoBatches();
    const calls = gateway.calls;
    for (const batchId of [0, -1, 1.5, 2147483648])
      await expect(merchant.refund(a, { batchId })).rejects.toMatchObject({ code: "invalidBatchId" });
    expect(gateway.calls).toBe(calls);
    await merchant.refund(a, { amount: jpy(100), batchId: 2, idempotencyKey: "credit-a" });
    const asked = gateway.calls;
    // the same key and batch: the order as it is; another batch, or none, is another request
    await merchant.refund(a, { amount: jpy(100), batchId: 2, idempotencyKey: "credit-a" });
    for (const other of [{ batchId: 1 }, {}])
      await expect(
        merchant.refund(a, { amount: jpy(100), idempotencyKey: "credit-a", ...other }),
      ).rejects.toMatchObject({ code: "idempotencyKeyReused" });
    expect(gateway.calls).toBe(asked);
    expect(gateway.credits.booked).toHaveLength(1);
  });

  test("a lost answer: only a call naming the same batch sends it again, and recovery names it too", async () => {
    const { merchant, gateway, a } = await twoBatches();
    gateway.credits.drop = true;
    const lost = await merchant.refund(a, { amount: jpy(500), batchId: 2 });
    expect(lost.authorization?.capRevOrCreds?.[0]).toMatchObject({ newBatchID: 2 });
    expect(lost.authorization?.capRevOrCreds?.[0].failure).toMatch(/unreachable/);
    await expect(merchant.refund(a, { amount: jpy(500) })).rejects.toMatchObject({ code: "requestPending" });
    const [finished] = await merchant.finishWaitingRequests();
    expect(finished).toMatchObject({ request: "CredReq", finished: true });
    expect((await merchant.order(a))?.authorization?.capRevOrCreds?.[0]).toMatchObject({
      code: "success",
      batchID: 2,
    });
    expect(gateway.credits.booked).toHaveLength(1);
  });
});
