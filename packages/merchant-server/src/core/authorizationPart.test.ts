import { nodeProvider } from "@setlab/protocol";
import { useMerchantTestKit } from "../testing/merchantTestKit";
import { takeAuthorizationNumber } from "./authorizationPart";
import { CaptureInputError } from "./capture";
import { OrderStateError } from "./orderState";

const p = nodeProvider();
const kit = useMerchantTestKit(p, "parts");

const description = "3 x SET Lab mug, shipped one by one";
const purchAmt = { currency: 392, amount: 12000, amtExp10: 0 };
const jpy = (amount: number) => ({ currency: 392, amount, amtExp10: 0 });

/** A split shipment: its first part (4000) authorized and captured, its second (5000) authorized. */
async function splitShipment() {
  const m = kit.merchant();
  const order = await m.merchant.createOrder({ description, ...purchAmt, firstShipmentAmount: 4000 });
  await kit.buy(m, order.lidM, { description, purchAmt });
  await m.merchant.capture(order.id);
  await m.merchant.authorizeSubsequent(order.id, { amount: jpy(5000) });
  return { merchant: m.merchant, gateway: m.gateway, id: order.id };
}

describe("merchant: capture, refund and reversals of a later authorization (split shipment)", () => {
  test("the second part is captured, refunded in part, the refund taken back and the capture reversed, each kept with it, in the order's history and its events; the first part is untouched", async () => {
    const { merchant, gateway, id } = await splitShipment();
    const captured = await merchant.capture(id, { authorization: 2 });
    expect(captured.state).toBe("partiallyCaptured");
    expect(captured.authorization?.subsequent?.[0].capture).toMatchObject({
      capCode: "success",
      capAmt: jpy(5000),
    });
    const refunded = await merchant.refund(id, { authorization: 2, amount: jpy(2000) });
    expect(refunded.state).toBe("partiallyCaptured");
    expect(refunded.authorization?.subsequent?.[0].capRevOrCreds).toMatchObject([
      { kind: "credit", code: "success", actualAmt: jpy(2000) },
    ]);
    expect(refunded.authorization?.capRevOrCreds).toBeUndefined();
    await merchant.reverseRefund(id, { authorization: 2 });
    const reversed = await merchant.reverseCapture(id, { authorization: 2 });
    expect(reversed.state).toBe("partiallyCaptured");
    expect(gateway.credits.booked.map((b) => `${b.kind} ${b.amount}`)).toEqual([
      "credit 2000",
      "creditReversal 2000",
      "captureReversal 5000",
    ]);
    const history = (await merchant.orderView(id))?.history ?? [];
    expect(history.slice(-4).map((h) => `${h.state}: ${h.detail}`)).toEqual([
      "partiallyCaptured: authorization 2: captured JPY 5000",
      "partiallyCaptured: authorization 2: credited JPY 2000",
      "partiallyCaptured: authorization 2: credit reversed JPY 2000",
      "partiallyCaptured: authorization 2: capture reversed JPY 5000",
    ]);
    const events = (await merchant.events(id)).filter((e) => e.part === 2);
    expect(
      events.map((e) => [e.type, e.capturedAmount?.amount, e.refundedAmount?.amount ?? e.reversal]),
    ).toEqual([
      ["authorized", undefined, undefined],
      ["captured", 5000, undefined],
      ["refunded", 5000, 2000],
      ["reversed", 5000, "refund"],
      ["reversed", 5000, "capture"],
    ]);
    // The first part is still the order's: refunded on its own.
    expect((await merchant.refund(id, { amount: jpy(1000) })).state).toBe("partiallyRefunded");
  });

  test("refused before any message: no such authorization, one captured already or not captured, a key of another authorization's request", async () => {
    const { merchant, gateway, id } = await splitShipment();
    const calls = gateway.calls;
    await expect(merchant.capture(id, { authorization: 3 })).rejects.toMatchObject({
      code: "noSuchAuthorization",
    });
    await expect(merchant.capture(id, { authorization: 0 })).rejects.toMatchObject({
      code: "noSuchAuthorization",
    });
    await expect(merchant.refund(id, { authorization: 3 })).rejects.toMatchObject({
      code: "noSuchAuthorization",
    });
    await expect(merchant.refund(id, { authorization: 2 })).rejects.toThrow(OrderStateError);
    await expect(merchant.capture(id, { authorization: 2, amount: jpy(5001) })).rejects.toThrow(
      CaptureInputError,
    );
    expect(gateway.calls).toBe(calls);
    await merchant.capture(id, { authorization: 2, amount: jpy(3000), idempotencyKey: "ship-2" });
    await expect(merchant.capture(id, { authorization: 2 })).rejects.toThrow(OrderStateError);
    // less than its AuthAmt: announced as partiallyCaptured, with its part
    expect((await merchant.events(id)).filter((e) => e.part === 2).map((e) => e.type)).toEqual([
      "authorized",
      "partiallyCaptured",
    ]);
    await merchant.authorizeSubsequent(id, { amount: jpy(1000) });
    await expect(merchant.capture(id, { authorization: 3, idempotencyKey: "ship-2" })).rejects.toMatchObject({
      code: "idempotencyKeyReused",
    });
    await merchant.reverseAuthorization(id, { authorization: 3, amount: jpy(500), idempotencyKey: "rev-3" });
    await expect(
      merchant.reverseAuthorization(id, { amount: jpy(100), idempotencyKey: "rev-3" }),
    ).rejects.toMatchObject({
      code: "idempotencyKeyReused",
    });
    // the same key again acts once; on the first authorization it names another request
    const again = await merchant.capture(id, { authorization: 2, idempotencyKey: "ship-2" });
    expect(again.authorization?.subsequent?.[0].capture?.capAmt).toEqual(jpy(3000));
    await merchant.refund(id, { authorization: 2, amount: jpy(100), idempotencyKey: "refund-2" });
    await expect(merchant.refund(id, { amount: jpy(100), idempotencyKey: "refund-2" })).rejects.toMatchObject(
      {
        code: "idempotencyKeyReused",
      },
    );
  });

  test("a lost answer of one authorization's capture is repaired with its own CapReq, whatever was captured since", async () => {
    const { merchant, gateway, id } = await splitShipment();
    await merchant.authorizeSubsequent(id, { amount: jpy(3000) });
    gateway.mode = "down";
    const lost = await merchant.capture(id, { authorization: 2 });
    expect(lost.authorization?.subsequent?.[0].capture?.failure).toContain("unreachable");
    gateway.mode = "approve";
    await merchant.capture(id, { authorization: 3 });
    const sent: Uint8Array[] = [];
    const send = gateway.send.bind(gateway);
    gateway.send = async (g, m) => {
      sent.push(m);
      return send(g, m);
    };
    const done = await merchant.capture(id, { authorization: 2 });
    expect(done.authorization?.subsequent?.[0].capture?.capCode).toBe("success");
    const stored = (await merchant.messages(id)).filter((m) => m.type === "captureRequest");
    // the first part's, the second's (lost, then sent again) and the third's
    expect(stored).toHaveLength(3);
    expect(sent).toEqual([stored[1].der]);
  });
});

describe("merchant: captureMany of later authorizations", () => {
  test("one CapReq captures one order's second part beside another order's first; an unknown part is refused before any message", async () => {
    const m = kit.merchant();
    const split = await m.merchant.createOrder({ description, ...purchAmt, firstShipmentAmount: 4000 });
    await kit.buy(m, split.lidM, { description, purchAmt });
    await m.merchant.authorizeSubsequent(split.id, { amount: jpy(5000) });
    const other = await m.merchant.createOrder({ description: "1 x mug", ...jpy(800) });
    await kit.buy(m, other.lidM, { description: "1 x mug", purchAmt: jpy(800) });
    const calls = m.gateway.calls;
    await expect(
      m.merchant.captureMany([{ orderId: split.id, authorization: 3 }, other.id]),
    ).rejects.toMatchObject({ code: "noSuchAuthorization" });
    expect(m.gateway.calls).toBe(calls);
    const r = await m.merchant.captureMany([
      { orderId: split.id, authorization: 2, amount: jpy(4500) },
      other.id,
    ]);
    expect(r.orders.map((o) => o.state)).toEqual(["authorized", "captured"]);
    expect(r.orders[0].authorization?.capture).toBeUndefined();
    expect(r.orders[0].authorization?.subsequent?.[0].capture).toMatchObject({
      capCode: "success",
      capAmt: jpy(4500),
      batchID: 1,
    });
    const history = (await m.merchant.orderView(split.id))?.history ?? [];
    expect(history.at(-1)).toMatchObject({
      state: "authorized",
      detail: "authorization 2: captured JPY 4500 in batch 1",
    });
    await expect(m.merchant.captureMany([{ orderId: split.id, authorization: 2 }])).rejects.toThrow(
      OrderStateError,
    );
  });
});

describe("merchant: the first authorization after a later one", () => {
  test("is reversed with its own AuthReq's PI and its own AuthRes, not the later authorization's", async () => {
    const m = kit.merchant();
    const order = await m.merchant.createOrder({ description, ...purchAmt, firstShipmentAmount: 4000 });
    await kit.buy(m, order.lidM, { description, purchAmt });
    await m.merchant.authorizeSubsequent(order.id, { amount: jpy(5000) });
    const reduced = await m.merchant.reverseAuthorization(order.id, { amount: jpy(1000) });
    expect(reduced.authorization).toMatchObject({
      authAmt: jpy(1000),
      reversal: { authRevCode: "approved" },
    });
    expect(reduced.authorization?.subsequent?.[0].authAmt).toEqual(jpy(5000));
  });
});

describe("merchant: reversal (AuthRev) of a later authorization", () => {
  test("reduced, then cancelled: its AuthAmt and CapToken follow, the order stays, history and reversed events name it; a captured one is not reversed", async () => {
    const { merchant, id } = await splitShipment();
    const before = (await merchant.order(id))!.authorization!.subsequent![0];
    const reduced = await merchant.reverseAuthorization(id, { authorization: 2, amount: jpy(3000) });
    const second = reduced.authorization?.subsequent?.[0];
    expect(second).toMatchObject({ authAmt: jpy(3000), reversal: { authRevCode: "approved" } });
    expect(second?.capToken).toMatch(/^[0-9a-f]+$/);
    expect(second?.capToken).not.toBe(before.capToken);
    expect(reduced.state).toBe("partiallyCaptured");
    const cancelled = await merchant.reverseAuthorization(id, { authorization: 2 });
    expect(cancelled.authorization?.subsequent?.[0]).toMatchObject({ authAmt: jpy(0) });
    expect(cancelled.authorization?.subsequent?.[0].capToken).toBeUndefined();
    expect(cancelled.authorization?.authAmt).toEqual(jpy(4000));
    await expect(merchant.capture(id, { authorization: 2 })).rejects.toThrow(/authorization 2 is reversed/);
    await expect(merchant.reverseAuthorization(id, { authorization: 2 })).rejects.toThrow(OrderStateError);
    const history = (await merchant.orderView(id))?.history ?? [];
    expect(history.slice(-2).map((h) => `${h.state}: ${h.detail}`)).toEqual([
      "partiallyCaptured: authorization 2: authorization reduced from JPY 5000 to JPY 3000",
      "partiallyCaptured: authorization 2: authorization of JPY 3000 reversed",
    ]);
    const reversed = (await merchant.events(id)).filter((e) => e.type === "reversed");
    expect(
      reversed.map((e) => [
        e.part,
        e.previousAuthorizedAmount?.amount,
        e.authorizedAmount?.amount,
        e.capturedAmount,
      ]),
    ).toEqual([
      // an uncaptured part's: no captured amount (the first authorization's is not its)
      [2, 5000, 3000, undefined],
      [2, 3000, 0, undefined],
    ]);
    // the third part, captured, goes back by credit only
    await merchant.authorizeSubsequent(id, { amount: jpy(1000) });
    await merchant.capture(id, { authorization: 3 });
    await expect(merchant.reverseAuthorization(id, { authorization: 3 })).rejects.toThrow(OrderStateError);
    await expect(merchant.reverseAuthorization(id, { authorization: 4 })).rejects.toMatchObject({
      code: "noSuchAuthorization",
    });
  });
});

describe("takeAuthorizationNumber", () => {
  const refuse = (m: string) => new Error(m);
  test("takes a whole number from 1 out of the body; refuses anything else", () => {
    expect(takeAuthorizationNumber({ authorization: 2, amount: 5 }, refuse)).toEqual({
      authorization: 2,
      rest: { amount: 5 },
    });
    expect(takeAuthorizationNumber({ amount: 5 }, refuse)).toEqual({ rest: { amount: 5 } });
    expect(takeAuthorizationNumber(undefined, refuse)).toEqual({ rest: undefined });
    for (const bad of [0, -1, 1.5, "2", null])
      expect(() => takeAuthorizationNumber({ authorization: bad }, refuse)).toThrow(/authorization must be/);
  });
});
