import { nodeProvider } from "@setlab/protocol";
import type { GatewayFunction } from "../testing/gatewayFunction";
import { useMerchantTestKit } from "../testing/merchantTestKit";
import { OrderStateError } from "./orderState";
import { SubsequentAuthorizationInputError } from "./subsequentAuthorization";

const p = nodeProvider();
const kit = useMerchantTestKit(p, "subsequent");

const description = "3 x SET Lab mug, shipped one by one";
const purchAmt = { currency: 392, amount: 12000, amtExp10: 0 };
const jpy = (amount: number) => ({ currency: 392, amount, amtExp10: 0 });

/** A merchant with one order the (test) gateway authorized: by default a split shipment whose first part is 4000. */
async function authorizedOrder(
  options: { firstShipmentAmount?: number | null; mode?: GatewayFunction["mode"] } = {},
) {
  const m = kit.merchant();
  const first = options.firstShipmentAmount === undefined ? 4000 : options.firstShipmentAmount;
  const order = await m.merchant.createOrder({
    description,
    ...purchAmt,
    ...(first !== null ? { firstShipmentAmount: first } : {}),
  });
  await kit.buy(m, order.lidM, { description, purchAmt }, options.mode);
  return { merchant: m.merchant, gateway: m.gateway, id: order.id };
}

describe("merchant: authorizeSubsequent (split shipment)", () => {
  test("the first AuthReq asks for the first part only, with SubsequentAuthInd; each later part is authorized with the last AuthToken, in the order, its history and an authorized event naming the part", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    const payload = gateway.received[0].authReq.data.authReqItem.authReqPayload;
    expect(payload).toMatchObject({ subsequentAuthInd: true, authReqAmt: jpy(4000) });
    const first = await merchant.order(id);
    expect(first?.state).toBe("authorized");
    expect(first?.authorization?.authToken).toMatch(/^[0-9a-f]+$/);
    const second = await merchant.authorizeSubsequent(id, { amount: jpy(5000) });
    expect(second.authorization?.subsequent?.at(-1)).toMatchObject({
      part: 2,
      authCode: "approved",
      authAmt: jpy(5000),
    });
    const sent = gateway.received.at(-1)!.authReq;
    expect(sent.pi.type).toBe("authToken");
    expect(sent.data.authReqItem.checkDigests).toBeUndefined();
    const third = await merchant.authorizeSubsequent(id, { amount: jpy(3000) });
    const part = third.authorization?.subsequent?.at(-1);
    expect(part).toMatchObject({ part: 3, authCode: "approved" });
    expect(part?.capToken).toMatch(/^[0-9a-f]+$/);
    // Nothing remains: no further token, so the merchant refuses before asking.
    expect(part?.authToken).toBeUndefined();
    await expect(merchant.authorizeSubsequent(id, { amount: jpy(1) })).rejects.toMatchObject({
      code: "noAuthToken",
    });
    expect(third.state).toBe("authorized");
    const history = (await merchant.orderView(id))?.history ?? [];
    expect(history.slice(-2).map((h) => h.detail)).toEqual([
      expect.stringMatching(/authorization 2 approved: JPY 5000/),
      expect.stringMatching(/authorization 3 approved: JPY 3000/),
    ]);
    const events = (await merchant.events(id)).filter((e) => e.type === "authorized");
    expect(events.map((e) => [e.part, e.authorizedAmount?.amount])).toEqual([
      [undefined, 4000],
      [2, 5000],
      [3, 3000],
    ]);
  });

  test("an order that is no split shipment asks for the whole amount and gets no AuthToken: nothing more to authorize", async () => {
    const { merchant, gateway, id } = await authorizedOrder({ firstShipmentAmount: null });
    expect(gateway.received[0].authReq.data.authReqItem.authReqPayload.subsequentAuthInd).toBe(false);
    await expect(merchant.authorizeSubsequent(id, { amount: jpy(1) })).rejects.toMatchObject({
      code: "noAuthToken",
    });
  });

  test("an amount beyond what remains is the gateway's amountError: recorded, no event, the token still usable", async () => {
    const { merchant, id } = await authorizedOrder();
    const refused = await merchant.authorizeSubsequent(id, { amount: jpy(8001) });
    expect(refused.authorization?.subsequent?.at(-1)).toMatchObject({ part: 2, authCode: "amountError" });
    // Only the first authorization's event.
    expect((await merchant.events(id)).filter((e) => e.type === "authorized")).toHaveLength(1);
    const ok = await merchant.authorizeSubsequent(id, { amount: jpy(2000) });
    expect(ok.authorization?.subsequent?.at(-1)).toMatchObject({ part: 2, authCode: "approved" });
    expect(ok.authorization?.subsequent?.at(-1)?.authToken).toBeDefined();
  });

  test("an idempotency key acts once: the repeat returns the order without asking again; the key with another amount is refused", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    await merchant.authorizeSubsequent(id, { amount: jpy(1000), idempotencyKey: "ship-2" });
    const calls = gateway.calls;
    const again = await merchant.authorizeSubsequent(id, { amount: jpy(1000), idempotencyKey: "ship-2" });
    expect(gateway.calls).toBe(calls);
    expect(again.authorization?.subsequent).toHaveLength(1);
    await expect(
      merchant.authorizeSubsequent(id, { amount: jpy(2000), idempotencyKey: "ship-2" }),
    ).rejects.toMatchObject({ code: "idempotencyKeyReused" });
  });

  test("a gateway that cannot be reached leaves the part pending; the next call sends the same AuthReq", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    gateway.mode = "down";
    const pending = await merchant.authorizeSubsequent(id, { amount: jpy(1000) });
    expect(pending.authorization?.subsequent?.at(-1)).toMatchObject({
      part: 2,
      failure: expect.stringMatching(/unreachable/),
    });
    gateway.mode = "approve";
    await expect(merchant.authorizeSubsequent(id, { amount: jpy(999) })).rejects.toBeInstanceOf(
      SubsequentAuthorizationInputError,
    );
    const done = await merchant.authorizeSubsequent(id, { amount: jpy(1000) });
    expect(done.authorization?.subsequent).toHaveLength(1);
    expect(done.authorization?.subsequent?.[0]).toMatchObject({ part: 2, authCode: "approved" });
    const sent = (await merchant.messages(id)).filter((m) => m.type === "authorizationRequest");
    expect(sent).toHaveLength(2);
  });

  test("refused before asking: an unknown order, one not authorized, an amount in another currency", async () => {
    const { merchant, id } = await authorizedOrder({ mode: "decline" });
    await expect(merchant.authorizeSubsequent(id, { amount: jpy(1) })).rejects.toBeInstanceOf(
      OrderStateError,
    );
    await expect(merchant.authorizeSubsequent(9999, { amount: jpy(1) })).rejects.toMatchObject({
      code: "noSuchOrder",
    });
    const ok = await authorizedOrder();
    await expect(
      ok.merchant.authorizeSubsequent(ok.id, { amount: { currency: 840, amount: 1, amtExp10: -2 } }),
    ).rejects.toMatchObject({ code: "invalidAmount" });
  });
});
