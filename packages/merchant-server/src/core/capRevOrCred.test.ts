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
