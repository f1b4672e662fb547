import { nodeProvider } from "@setlab/protocol";
import type { GatewayFunction } from "../testing/gatewayFunction";
import { useMerchantTestKit } from "../testing/merchantTestKit";
import { parseReversalBody, ReversalInputError } from "./authReversal";
import type { Merchant } from "./merchant";
import { OrderStateError } from "./orderState";

const p = nodeProvider();
const kit = useMerchantTestKit(p, "authrev");

const description = "1 x SET Lab mug";
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
const jpy = (amount: number) => ({ currency: 392, amount, amtExp10: 0 });

/** A merchant with one order the (test) gateway authorized in `mode`. */
async function authorizedOrder(mode: GatewayFunction["mode"] = "approve") {
  const m = kit.merchant();
  const order = await m.merchant.createOrder({ description, ...purchAmt });
  await kit.buy(m, order.lidM, { description, purchAmt }, mode);
  return { merchant: m.merchant, gateway: m.gateway, id: order.id, repo: m.repo, file: m.file };
}

const typesOf = async (merchant: Merchant, id: number) => (await merchant.messages(id)).map((m) => m.type);

describe("merchant: reverseAuthorization", () => {
  test("a cancellation makes the order reversed, final, its CapToken dropped, with the reversed event and a history line", async () => {
    const { merchant, id } = await authorizedOrder();
    const heard: string[] = [];
    merchant.on("*", (e) => {
      heard.push(
        `${e.type} ${e.previousAuthorizedAmount?.amount ?? ""}->${e.authorizedAmount?.amount ?? ""}`,
      );
    });
    const o = await merchant.reverseAuthorization(id);
    expect(o.state).toBe("reversed");
    expect(o.authorization).toMatchObject({
      authAmt: jpy(0),
      reversal: { authRevCode: "approved", previousAmt: purchAmt },
    });
    expect(o.authorization?.capToken).toBeUndefined();
    expect(heard).toEqual(["reversed 12800->0"]);
    expect((await typesOf(merchant, id)).slice(-2)).toEqual(["authReversalRequest", "authReversalResponse"]);
    expect((await merchant.orderView(id))?.history.at(-1)).toMatchObject({ state: "reversed" });
    await expect(merchant.capture(id)).rejects.toThrow(OrderStateError);
    await expect(merchant.reverseAuthorization(id)).rejects.toThrow(OrderStateError);
  });

  test("a reduction keeps the order authorized with the lower AuthAmt and the new CapToken; a second reduction and a capture use them", async () => {
    const { merchant, id } = await authorizedOrder();
    const before = (await merchant.order(id))!.authorization!;
    const o = await merchant.reverseAuthorization(id, { amount: jpy(8000) });
    expect(o.state).toBe("authorized");
    expect(o.authorization?.authAmt).toEqual(jpy(8000));
    expect(o.authorization?.capToken).toMatch(/^[0-9a-f]+$/);
    expect(o.authorization?.capToken).not.toBe(before.capToken);
    expect((await merchant.orderView(id))?.history.at(-1)).toMatchObject({ state: "authorized" });
    const events = await merchant.events(id);
    expect(events.map((e) => e.type)).toEqual(["authorized", "reversed"]);
    expect(events[1]).toMatchObject({ previousAuthorizedAmount: purchAmt, authorizedAmount: jpy(8000) });
    // the second starts from the first's AuthResPayloadNew (the gateway checks it stands at 8000)
    expect((await merchant.reverseAuthorization(id, { amount: jpy(5000) })).authorization?.authAmt).toEqual(
      jpy(5000),
    );
    const captured = await merchant.capture(id);
    expect(captured.state).toBe("partiallyCaptured");
    expect(captured.authorization?.capture?.capAmt).toEqual(jpy(5000));
  });

  test("refused before any message: an amount not below AuthAmt, another currency, a fraction, an order not authorized or captured, no order", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    const calls = gateway.calls;
    for (const amount of [
      jpy(12800),
      jpy(12801),
      { currency: 840, amount: 0, amtExp10: 0 },
      { ...jpy(1), amtExp10: -1 },
    ])
      await expect(merchant.reverseAuthorization(id, { amount })).rejects.toThrow(ReversalInputError);
    await expect(merchant.reverseAuthorization(9999)).rejects.toThrow(ReversalInputError);
    await expect(merchant.reverseAuthorization(9999)).rejects.toMatchObject({ code: "noSuchOrder" });
    const declined = await authorizedOrder("decline");
    await expect(declined.merchant.reverseAuthorization(declined.id)).rejects.toThrow(OrderStateError);
    expect(gateway.calls).toBe(calls);
    expect((await merchant.order(id))?.state).toBe("authorized");
    await merchant.capture(id);
    await expect(merchant.reverseAuthorization(id)).rejects.toThrow(OrderStateError);
  });

  test("an AuthRevCode refusal leaves the order as it was, with the code recorded", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    gateway.authRevCode = "alreadyCaptured";
    const o = await merchant.reverseAuthorization(id);
    expect(o.state).toBe("authorized");
    expect(o.authorization).toMatchObject({
      authAmt: purchAmt,
      reversal: { authRevCode: "alreadyCaptured" },
    });
    expect((await merchant.events(id)).map((e) => e.type)).toEqual(["authorized"]);
    gateway.authRevCode = undefined;
    expect((await merchant.reverseAuthorization(id)).state).toBe("reversed");
  });

  test("no answer: the order is unchanged with the failure, and the next call sends the same AuthRevReq bytes", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    gateway.mode = "down";
    const failed = await merchant.reverseAuthorization(id, { amount: jpy(100) });
    expect([failed.state, failed.authorization?.authAmt]).toEqual(["authorized", purchAmt]);
    expect(failed.authorization?.reversal?.failure).toContain("unreachable");
    const sent: Uint8Array[] = [];
    const send = gateway.send.bind(gateway);
    gateway.send = async (g, m) => {
      sent.push(m);
      return send(g, m);
    };
    gateway.mode = "approve";
    await expect(merchant.reverseAuthorization(id, { amount: jpy(200) })).rejects.toThrow(ReversalInputError);
    await expect(merchant.reverseAuthorization(id, { amount: jpy(200) })).rejects.toMatchObject({
      code: "reversalWaiting",
    });
    expect((await merchant.reverseAuthorization(id, { amount: jpy(100) })).authorization?.authAmt).toEqual(
      jpy(100),
    );
    const stored = (await merchant.messages(id)).filter((m) => m.type === "authReversalRequest");
    expect(stored).toHaveLength(1);
    expect(sent).toEqual([stored[0].der]);
  });

  test("a SET Error answer is recorded as a failure, the order unchanged", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    gateway.mode = "error";
    const o = await merchant.reverseAuthorization(id);
    expect(o.state).toBe("authorized");
    expect(o.authorization?.reversal?.failure).toContain("signatureFailure");
  });

  test("an idempotency key: a repeated call acts once; the same key with another amount is refused", async () => {
    const { merchant, gateway, id } = await authorizedOrder();
    const first = await merchant.reverseAuthorization(id, { amount: jpy(9000), idempotencyKey: "k1" });
    const calls = gateway.calls;
    const again = await merchant.reverseAuthorization(id, { amount: jpy(9000), idempotencyKey: "k1" });
    expect(again.authorization).toEqual(first.authorization);
    expect(gateway.calls).toBe(calls);
    await expect(merchant.reverseAuthorization(id, { amount: jpy(1), idempotencyKey: "k1" })).rejects.toThrow(
      ReversalInputError,
    );
    // without the key, the same call is a new reversal: 9000 is no longer below AuthAmt
    await expect(merchant.reverseAuthorization(id, { amount: jpy(9000) })).rejects.toThrow(
      ReversalInputError,
    );
    expect((await merchant.events(id)).filter((e) => e.type === "reversed")).toHaveLength(1);
  });

  test("an authorization that keeps no AuthReqData (one made before it was kept) is refused before any message", async () => {
    const { merchant, gateway, repo, id } = await authorizedOrder();
    const { authReqData: _kept, ...auth } = (await merchant.order(id))!.authorization!;
    await repo.commit({ orderId: id, expect: "authorized", authorization: auth }, new Date());
    const calls = gateway.calls;
    await expect(merchant.reverseAuthorization(id)).rejects.toThrow(/keeps no AuthReqData/);
    expect(gateway.calls).toBe(calls);
  });

  test("the AuthReqData the AuthReq carried is kept with the order, after a restart too", async () => {
    const { id, file } = await authorizedOrder();
    const { merchant } = kit.merchant({ file });
    expect((await merchant.order(id))?.authorization?.authReqData).toMatch(/^30[0-9a-f]+$/);
  });
});

describe("parseReversalBody", () => {
  test("{} cancels; {amount, amtExp10?} is the new amount in the order's currency; anything else is refused", () => {
    expect(parseReversalBody({}, 392)).toBeUndefined();
    expect(parseReversalBody(undefined, 392)).toBeUndefined();
    expect(parseReversalBody({ amount: 0 }, 392)).toEqual(jpy(0));
    expect(parseReversalBody({ amount: 5, amtExp10: 2 }, 392)).toEqual({
      currency: 392,
      amount: 5,
      amtExp10: 2,
    });
    for (const bad of [
      [],
      "x",
      { amount: -1 },
      { amount: 1.5 },
      { amtExp10: 1 },
      { amount: 1, currency: 840 },
      { amount: 1, amtExp10: 19 },
    ])
      expect(() => parseReversalBody(bad, 392)).toThrow(ReversalInputError);
  });
});
