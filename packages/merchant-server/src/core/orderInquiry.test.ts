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
      authorizations: [{ authorization: 1, completionCode: "orderReceived" }],
    });
    await kit.buy(m, order.lidM, { description, purchAmt });
    expect(await merchant.inquire(order.id)).toEqual({
      orderId: order.id,
      state: "authorized",
      completionCode: "authorizationPerformed",
      authorizedAmount: purchAmt,
      authorizations: [
        { authorization: 1, completionCode: "authorizationPerformed", authorizedAmount: purchAmt },
      ],
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
    expect(r).toEqual({
      orderId: order.id,
      state: "declined",
      completionCode: "orderRejected",
      authorizations: [{ authorization: 1, completionCode: "orderRejected" }],
    });
    expect(await m.merchant.inquire(9999)).toBeUndefined();
  });

  test("a split shipment: each authorization's own answer, the first at the top; refused attempts are not told", async () => {
    const m = kit.merchant();
    const { merchant, gateway } = m;
    const order = await merchant.createOrder({ description, ...purchAmt, firstShipmentAmount: 4000 });
    await kit.buy(m, order.lidM, { description, purchAmt });
    await merchant.capture(order.id);
    gateway.mode = "decline";
    await merchant.authorizeSubsequent(order.id, { amount: jpy(5000) });
    gateway.mode = "approve";
    await merchant.authorizeSubsequent(order.id, { amount: jpy(5000) });
    await merchant.authorizeSubsequent(order.id, { amount: jpy(3000) });
    await merchant.capture(order.id, { authorization: 2 });
    await merchant.refund(order.id, { authorization: 2, amount: jpy(1500) });
    await merchant.reverseAuthorization(order.id, { authorization: 3 });
    const r = await merchant.inquire(order.id);
    expect(r).toMatchObject({
      state: "partiallyCaptured",
      completionCode: "capturePerformed",
      authorizedAmount: jpy(4000),
      capturedAmount: jpy(4000),
    });
    expect(r?.authorizations).toEqual([
      {
        authorization: 1,
        completionCode: "capturePerformed",
        authorizedAmount: jpy(4000),
        capturedAmount: jpy(4000),
      },
      {
        authorization: 2,
        completionCode: "creditPerformed",
        authorizedAmount: jpy(5000),
        capturedAmount: jpy(5000),
        credits: [{ date: expect.any(String), amount: jpy(1500) }],
      },
      { authorization: 3, completionCode: "orderRejected" },
    ]);
  });
});
