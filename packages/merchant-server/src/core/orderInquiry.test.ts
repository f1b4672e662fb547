import { nodeProvider } from "@setlab/protocol";
import { useMerchantTestKit } from "../testing/merchantTestKit";

const p = nodeProvider();
const kit = useMerchantTestKit(p, "inquire");

const description = "1 x SET Lab mug";
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
const jpy = (amount: number) => ({ currency: 392, amount, amtExp10: 0 });

describe("Merchant.inquire: what SET says about an order now", () => {
  test("through the lifecycle: orderReceived, authorizationPerformed, capturePerformed, creditPerformed", async () => {
    const m = kit.merchant();
    const { merchant } = m;
    const order = await merchant.createOrder({ description, ...purchAmt });
    expect(await merchant.inquire(order.id)).toEqual({
      orderId: order.id,
      state: "created",
      completionCode: "orderReceived",
    });
    await kit.buy(m, order.lidM, { description, purchAmt });
    expect(await merchant.inquire(order.id)).toEqual({
      orderId: order.id,
      state: "authorized",
      completionCode: "authorizationPerformed",
      authorizedAmount: purchAmt,
    });
    await merchant.capture(order.id);
    expect(await merchant.inquire(order.id)).toMatchObject({
      state: "captured",
      completionCode: "capturePerformed",
      authorizedAmount: purchAmt,
      capturedAmount: purchAmt,
    });
    await merchant.refund(order.id, { amount: jpy(2800) });
    const refunded = await merchant.inquire(order.id);
    expect(refunded).toMatchObject({ state: "partiallyRefunded", completionCode: "creditPerformed" });
    expect(refunded?.credits?.map((c) => c.amount)).toEqual([jpy(2800)]);
  });

  test("a declined order is orderRejected with no amounts; no order is undefined", async () => {
    const m = kit.merchant();
    const order = await m.merchant.createOrder({ description, ...purchAmt });
    await kit.buy(m, order.lidM, { description, purchAmt }, "decline");
    const r = await m.merchant.inquire(order.id);
    expect(r).toEqual({ orderId: order.id, state: "declined", completionCode: "orderRejected" });
    expect(await m.merchant.inquire(9999)).toBeUndefined();
  });
});
