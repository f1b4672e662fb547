import { nodeProvider } from "@setlab/protocol";
import type { GatewayFunction } from "../testing/gatewayFunction";
import { useMerchantTestKit } from "../testing/merchantTestKit";
import { CaptureInputError } from "./capture";
import type { Merchant } from "./merchant";
import { OrderStateError } from "./orderState";

const p = nodeProvider();
const kit = useMerchantTestKit(p, "capture");

const description = "1 x SET Lab mug";
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
const jpy = (amount: number) => ({ currency: 392, amount, amtExp10: 0 });

/** A merchant with one order the (test) gateway authorized in `mode`. */
async function authorizedOrder(
  mode: GatewayFunction["mode"] = "approve",
  options: { captureNow?: boolean } = {},
) {
  const m = kit.merchant({ config: options.captureNow ? { captureNow: true } : {} });
  const order = await m.merchant.createOrder({
    description,
    amount: purchAmt.amount,
    currency: purchAmt.currency,
    amtExp10: purchAmt.amtExp10,
  });
  await kit.buy(m, order.lidM, { description, purchAmt }, mode);
  return { merchant: m.merchant, gateway: m.gateway, id: order.id };
}

const typesOf = async (merchant: Merchant, id: number) => (await merchant.messages(id)).map((m) => m.type);

describe("merchant: capture", () => {
  test("the approval's CapToken is kept with the order, unreadable, and a capture of all of it makes the order captured", async () => {
    const { merchant, id } = await authorizedOrder();
    const before = await merchant.order(id);
    expect(before?.authorization?.capToken).toMatch(/^[0-9a-f]+$/);
    const after = await merchant.capture(id);
    expect(after.state).toBe("captured");
    expect(after.authorization?.capture).toMatchObject({
      capCode: "success",
      capAmt: purchAmt,
      capReqAmt: purchAmt,
    });
    expect((await typesOf(merchant, id)).slice(-2)).toEqual(["captureRequest", "captureResponse"]);
    expect((await merchant.orderView(id))?.history.at(-1)?.state).toBe("captured");
    const captured = (await merchant.events(id)).filter((e) => e.type === "captured");
    expect(captured).toHaveLength(1);
    expect(captured[0].capturedAmount).toEqual(purchAmt);
  });

  test("a capture of less than the purchase amount is partiallyCaptured, a partially authorized order's AuthAmt too", async () => {
    const { merchant, id } = await authorizedOrder();
    const heard: string[] = [];
    merchant.on("*", (e) => {
      heard.push(`${e.type} ${e.capturedAmount?.amount ?? ""}`);
    });
    expect((await merchant.capture(id, { amount: jpy(5000) })).state).toBe("partiallyCaptured");
    expect(heard).toEqual(["partiallyCaptured 5000"]);
    expect((await merchant.events(id)).map((e) => e.type)).not.toContain("captured");
    const partial = await authorizedOrder("partial");
    await expect(partial.merchant.capture(partial.id, { amount: jpy(6401) })).rejects.toThrow(
      CaptureInputError,
    );
    const o = await partial.merchant.capture(partial.id);
    expect(o.state).toBe("partiallyCaptured");
    expect(o.authorization?.capture?.capAmt).toEqual(jpy(6400));
  });

  test("refused before any message: over AuthAmt, another currency, not positive, an order not authorized, no order", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    const calls = gateway.calls;
    await expect(merchant.capture(id, { amount: jpy(12801) })).rejects.toThrow(CaptureInputError);
    await expect(
      merchant.capture(id, { amount: { currency: 840, amount: 100, amtExp10: -2 } }),
    ).rejects.toThrow(CaptureInputError);
    await expect(merchant.capture(id, { amount: jpy(0) })).rejects.toThrow(CaptureInputError);
    await expect(merchant.capture(9999)).rejects.toThrow(CaptureInputError);
    // Stable codes a shop may branch on.
    await expect(merchant.capture(9999)).rejects.toMatchObject({ code: "noSuchOrder" });
    await expect(merchant.capture(id, { amount: jpy(12801) })).rejects.toMatchObject({
      code: "invalidAmount",
    });
    const declined = await authorizedOrder("decline");
    await expect(declined.merchant.capture(declined.id)).rejects.toThrow(OrderStateError);
    expect(gateway.calls).toBe(calls);
    expect((await merchant.order(id))?.state).toBe("authorized");
  });

  test("an idempotency key: a repeat returns the captured order and sends nothing; the key with another amount, or malformed, is refused", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    const first = await merchant.capture(id, { idempotencyKey: "ship-1" });
    expect(first.state).toBe("captured");
    const calls = gateway.calls;
    const again = await merchant.capture(id, { idempotencyKey: "ship-1" });
    expect(again.state).toBe("captured");
    expect(again.authorization?.capture).toEqual(first.authorization?.capture);
    expect(gateway.calls).toBe(calls);
    await expect(merchant.capture(id, { idempotencyKey: "ship-1", amount: jpy(100) })).rejects.toMatchObject({
      code: "idempotencyKeyReused",
    });
    await expect(merchant.capture(id, { idempotencyKey: "ship-2" })).rejects.toMatchObject({
      code: "invalidState",
    });
    await expect(merchant.capture(id, { idempotencyKey: "bad key" })).rejects.toMatchObject({
      code: "invalidIdempotencyKey",
    });
    expect((await merchant.events(id)).filter((e) => e.type === "captured")).toHaveLength(1);
  });

  test("an idempotency key across a lost answer: the repeat sends the same CapReq and is captured once", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    gateway.mode = "down";
    expect((await merchant.capture(id, { amount: jpy(5000), idempotencyKey: "k" })).state).toBe("authorized");
    gateway.mode = "approve";
    const o = await merchant.capture(id, { idempotencyKey: "k" });
    expect(o.state).toBe("partiallyCaptured");
    expect(o.authorization?.capture?.capAmt).toEqual(jpy(5000));
    expect((await merchant.messages(id)).filter((m) => m.type === "captureRequest")).toHaveLength(1);
  });

  test("a captured order is not captured again", async () => {
    const { merchant, id } = await authorizedOrder();
    await merchant.capture(id);
    await expect(merchant.capture(id)).rejects.toThrow(OrderStateError);
  });

  test("a CapCode refusal leaves the order authorized, with the code recorded, and a later capture may succeed", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    gateway.capCode = "batchClosed";
    const refused = await merchant.capture(id);
    expect(refused.state).toBe("authorized");
    expect(refused.authorization?.capture?.capCode).toBe("batchClosed");
    expect((await merchant.events(id)).map((e) => e.type)).toEqual(["authorized"]);
    gateway.capCode = undefined;
    expect((await merchant.capture(id)).state).toBe("captured");
  });

  test("no answer: the order stays authorized with the failure, and the next call sends the same CapReq bytes", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    gateway.mode = "down";
    const failed = await merchant.capture(id);
    expect(failed.state).toBe("authorized");
    expect(failed.authorization?.capture?.failure).toContain("unreachable");
    const sent: Uint8Array[] = [];
    const send = gateway.send.bind(gateway);
    gateway.send = async (g, m) => {
      sent.push(m);
      return send(g, m);
    };
    gateway.mode = "approve";
    await expect(merchant.capture(id, { amount: jpy(100) })).rejects.toThrow(CaptureInputError);
    expect((await merchant.capture(id)).state).toBe("captured");
    const stored = (await merchant.messages(id)).filter((m) => m.type === "captureRequest");
    expect(stored).toHaveLength(1);
    expect(sent).toEqual([stored[0].der]);
  });

  test("an answer that is not the gateway's CapRes (a SET Error) is recorded as a failure, the order unchanged", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    gateway.mode = "error";
    const o = await merchant.capture(id);
    expect(o.state).toBe("authorized");
    expect(o.authorization?.capture?.failure).toContain("signatureFailure");
  });
});

describe("merchant: sale (captureNow)", () => {
  test("the AuthReq asks for CaptureNow; the approval captured with it makes the order captured, the buyer told capturePerformed", async () => {
    const { merchant, gateway, id } = await authorizedOrder("approve", { captureNow: true });
    expect(gateway.received.at(-1)?.authReq.data.captureNow).toBe(true);
    const o = await merchant.order(id);
    expect(o?.state).toBe("captured");
    expect(o?.authorization).toMatchObject({
      completionCode: "capturePerformed",
      capture: { capCode: "success", capAmt: purchAmt },
    });
    // Its CapToken is kept for later credits; a second capture is refused before any message.
    expect(o?.authorization?.capToken).toBeDefined();
    await expect(merchant.capture(id)).rejects.toThrow(OrderStateError);
  });

  test("a partial approval sold is partiallyCaptured", async () => {
    const { merchant, id } = await authorizedOrder("partial", { captureNow: true });
    expect((await merchant.order(id))?.state).toBe("partiallyCaptured");
  });

  test("a sale whose capture the gateway refused stays authorized, and is captured later with its CapToken", async () => {
    const m = kit.merchant({ config: { captureNow: true } });
    m.gateway.capCode = "batchClosed";
    const { merchant } = m;
    const order = await merchant.createOrder({
      description,
      amount: purchAmt.amount,
      currency: purchAmt.currency,
      amtExp10: purchAmt.amtExp10,
    });
    await kit.buy(m, order.lidM, { description, purchAmt });
    const o = await merchant.order(order.id);
    expect(o?.state).toBe("authorized");
    expect(o?.authorization?.completionCode).toBe("authorizationPerformed");
    m.gateway.capCode = undefined;
    expect((await merchant.capture(order.id)).state).toBe("captured");
  });
});
