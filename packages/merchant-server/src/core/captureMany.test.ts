import { nodeProvider } from "@setlab/protocol";
import type { GatewayFunction } from "../testing/gatewayFunction";
import { useMerchantTestKit } from "../testing/merchantTestKit";
import { BatchAdminError, BatchAdminInputError } from "./batchAdmin";
import { CaptureInputError } from "./capture";
import { OrderInputError } from "./newOrder";
import { OrderStateError } from "./orderState";

const p = nodeProvider();
const kit = useMerchantTestKit(p, "capture-many");

const jpy = (amount: number) => ({ currency: 392, amount, amtExp10: 0 });

/** A merchant whose `count` orders of `amount` yen each the (test) gateway authorized. */
async function authorizedOrders(count: number, amount = 1000) {
  const m = kit.merchant();
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const description = `order ${i}`;
    const order = await m.merchant.createOrder({ description, amount, currency: 392, amtExp10: 0 });
    await kit.buy(m, order.lidM, { description, purchAmt: jpy(amount) });
    ids.push(order.id);
  }
  return { merchant: m.merchant, gateway: m.gateway, ids, repo: m.repo, file: m.file };
}

/** Counts the CapReqs the gateway is sent, and keeps them. */
function spy(gateway: GatewayFunction) {
  const sent: Uint8Array[] = [];
  const send = gateway.send.bind(gateway);
  gateway.send = async (g: string, m: Uint8Array) => {
    sent.push(m);
    return send(g, m);
  };
  return sent;
}

describe("merchant: captureMany", () => {
  test("one CapReq captures every order, each in full or in part, into the open batch in sequence; each order gets its event", async () => {
    const { merchant, gateway, ids } = await authorizedOrders(3);
    const sent = spy(gateway);
    const heard: string[] = [];
    merchant.on("*", (e) => {
      heard.push(`${e.type} ${e.order.id}`);
    });
    const r = await merchant.captureMany([ids[0], { orderId: ids[1], amount: jpy(400) }, ids[2]]);
    expect(sent).toHaveLength(1);
    expect(r.failure).toBeUndefined();
    expect(r.orders.map((o) => o.state)).toEqual(["captured", "partiallyCaptured", "captured"]);
    expect(
      r.orders.map((o) => [o.authorization?.capture?.batchID, o.authorization?.capture?.batchSequenceNum]),
    ).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    expect(r.orders.every((o) => o.authorization?.capture?.capRRPID === r.capRRPID)).toBe(true);
    expect(heard).toEqual([`captured ${ids[0]}`, `partiallyCaptured ${ids[1]}`, `captured ${ids[2]}`]);
    for (const id of ids)
      expect((await merchant.messages(id)).map((m) => m.type).slice(-2)).toEqual([
        "captureRequest",
        "captureResponse",
      ]);
  });

  test("each item's answer goes to its own order: one the gateway refuses stays authorized with its CapCode, the other is captured", async () => {
    const { merchant, gateway, ids } = await authorizedOrders(2);
    // the gateway's record says the first authorization was captured already
    gateway.captured.add((await merchant.order(ids[0]))!.authorization!.authRRPID);
    const r = await merchant.captureMany(ids);
    expect(r.orders.map((o) => [o.state, o.authorization?.capture?.capCode])).toEqual([
      ["authorized", "duplicateRequest"],
      ["captured", "success"],
    ]);
    expect(r.orders[1].authorization?.capture?.batchSequenceNum).toBe(1);
    expect((await merchant.events(ids[0])).map((e) => e.type)).toEqual(["authorized"]);
  });

  test("into a closed batch: batchClosed for every item, the orders unchanged, then into the next batch", async () => {
    const { merchant, ids } = await authorizedOrders(3);
    await merchant.captureMany([ids[0]]);
    const closed = await merchant.closeBatch();
    expect(closed).toMatchObject({ code: "success", batchId: 1, itemCount: 1 });
    const refused = await merchant.captureMany([ids[1], ids[2]], { batchId: 1 });
    expect(refused.orders.map((o) => [o.state, o.authorization?.capture?.capCode])).toEqual([
      ["authorized", "batchClosed"],
      ["authorized", "batchClosed"],
    ]);
    const next = await merchant.captureMany([ids[1], ids[2]]);
    expect(next.orders.map((o) => o.authorization?.capture?.batchID)).toEqual([2, 2]);
  });

  test("refused before any message: empty, an order twice, over its AuthAmt, not authorized, no such order, a bad batch id", async () => {
    const { merchant, gateway, ids } = await authorizedOrders(2);
    const sent = spy(gateway);
    await expect(merchant.captureMany([])).rejects.toThrow(CaptureInputError);
    await expect(merchant.captureMany([ids[0], ids[0]])).rejects.toThrow(CaptureInputError);
    await expect(merchant.captureMany([ids[0], { orderId: ids[1], amount: jpy(1001) }])).rejects.toThrow(
      CaptureInputError,
    );
    await expect(merchant.captureMany([ids[0], 999])).rejects.toThrow(CaptureInputError);
    await expect(merchant.captureMany([ids[0]], { batchId: 0 })).rejects.toThrow(CaptureInputError);
    await expect(merchant.captureMany(new Array(129).fill(0).map((_, i) => i + 1))).rejects.toThrow(
      CaptureInputError,
    );
    await merchant.capture(ids[1]);
    await expect(merchant.captureMany([ids[0], ids[1]])).rejects.toThrow(OrderStateError);
    expect(sent).toHaveLength(1);
    expect((await merchant.order(ids[0]))?.state).toBe("authorized");
  });

  test("with an idempotency key a repeat sends the same CapReq bytes and captures nothing twice; the key with other input is refused", async () => {
    const { merchant, gateway, ids } = await authorizedOrders(2);
    const sent = spy(gateway);
    gateway.mode = "down";
    const lost = await merchant.captureMany(ids, { idempotencyKey: "settle-2026-12-06" });
    expect(lost.failure).toContain("unreachable");
    expect(lost.orders.map((o) => o.state)).toEqual(["authorized", "authorized"]);
    // other orders than the call in flight: not asked for again under a new RRPID
    await expect(merchant.captureMany([ids[0]])).rejects.toThrow(CaptureInputError);
    await expect(merchant.captureMany([ids[1], ids[0]])).rejects.toThrow(CaptureInputError);
    gateway.mode = "approve";
    const done = await merchant.captureMany(ids, { idempotencyKey: "settle-2026-12-06" });
    expect(done.capRRPID).toBe(lost.capRRPID);
    expect(done.orders.map((o) => o.state)).toEqual(["captured", "captured"]);
    const repeat = await merchant.captureMany(ids, { idempotencyKey: "settle-2026-12-06" });
    expect(repeat.orders.map((o) => o.state)).toEqual(["captured", "captured"]);
    expect(sent.length).toBe(3);
    expect(sent[1]).toEqual(sent[0]);
    expect(sent[2]).toEqual(sent[0]);
    expect(gateway.batches[0].items).toHaveLength(2);
    await expect(merchant.captureMany([ids[0]], { idempotencyKey: "settle-2026-12-06" })).rejects.toThrow(
      OrderInputError,
    );
    for (const id of ids)
      expect((await merchant.events(id)).filter((e) => e.type === "captured")).toHaveLength(1);
  });
  test("without a key, the same call again after a lost answer sends the same CapReq; `capture` of one of its orders is refused", async () => {
    const { merchant, gateway, ids } = await authorizedOrders(2);
    const sent = spy(gateway);
    gateway.mode = "down";
    const lost = await merchant.captureMany(ids);
    expect(lost.failure).toContain("unreachable");
    gateway.mode = "approve";
    await expect(merchant.capture(ids[0])).rejects.toThrow(/other orders in one CapReq/);
    const again = await merchant.captureMany(ids);
    expect(again.capRRPID).toBe(lost.capRRPID);
    expect(again.orders.map((o) => o.state)).toEqual(["captured", "captured"]);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(gateway.batches[0].items).toHaveLength(2);
  });
});

describe("merchant: closeBatch, batchStatus", () => {
  test("the open batch's status and totals per brand and currency; close, then nothing open", async () => {
    const { merchant, ids } = await authorizedOrders(2, 1500);
    await merchant.captureMany(ids);
    const status = await merchant.batchStatus();
    expect(status).toMatchObject({ code: "success", batchId: 1, itemCount: 2 });
    expect(status.closed).toBeUndefined();
    expect(status.totals).toEqual([
      {
        brand: "Visa",
        salesCount: 2,
        sales: jpy(3000),
        creditCount: 0,
        credits: jpy(0),
        net: jpy(3000),
        shown: { sales: "JPY 3000", credits: "JPY 0", net: "JPY 3000" },
      },
    ]);
    const closed = await merchant.closeBatch();
    expect(closed.closed).toBeDefined();
    expect((await merchant.batchStatus({ batchId: 1 })).closed).toBeDefined();
    expect((await merchant.closeBatch()).code).toBe("unknownBatch");
  });

  test("a repeat of closeBatch with its key sends the same request: the batch opened since is not closed", async () => {
    const { merchant, gateway, ids } = await authorizedOrders(2);
    await merchant.captureMany([ids[0]]);
    const first = await merchant.closeBatch({ idempotencyKey: "close-1" });
    await merchant.captureMany([ids[1]]);
    const again = await merchant.closeBatch({ idempotencyKey: "close-1" });
    expect(again).toEqual(first);
    expect(gateway.batches.map((b) => b.closed)).toEqual([true, false]);
    await expect(merchant.closeBatch({ idempotencyKey: "close-1", batchId: 2 })).rejects.toThrow(
      OrderInputError,
    );
  });

  test("refused before asking: batch 0, a brand not configured; no usable answer is BatchAdminError", async () => {
    const { merchant, gateway } = await authorizedOrders(0);
    await expect(merchant.closeBatch({ batchId: 0 })).rejects.toThrow(BatchAdminInputError);
    await expect(merchant.batchStatus({ brand: "Diners" })).rejects.toThrow(BatchAdminInputError);
    gateway.mode = "down";
    await expect(merchant.closeBatch()).rejects.toThrow(BatchAdminError);
    gateway.mode = "error";
    await expect(merchant.closeBatch()).rejects.toThrow(/SET Error: signatureFailure/);
  });
});
