/**
 * Capture and authorization reversal across real processes: a purchase made by the mediator, then
 * `set-lab capture` / `set-lab reverse` through the merchant's admin route, the merchant's CapReq
 * or AuthRevReq to the running gateway and its CapRes or AuthRevRes back; and a split shipment
 * whose two authorizations are captured each on its own, the second then refunded (into a batch
 * it names, and not into one the merchant lacks), a third reversed.
 */
import { adminFetch } from "@setlab/runtime";
import { fetchMessages } from "./capture";
import { authorizeOrder } from "./commands/authorizeOrder";
import { capRevOrCredOrderAt } from "./commands/capRevOrCredOrder";
import { captureOrder } from "./commands/captureOrder";
import { purchase } from "./commands/purchase";
import { reverseOrder } from "./commands/reverseOrder";
import { purchAmtOf } from "./currency";
import { adminOf, LabFailure } from "./labState";
import { useRunningLab } from "./testing/runningLab";

const lab = useRunningLab("capture-e2e");

const jpy = (amount: string) => purchAmtOf(amount, "JPY");

describe("a split shipment across the running lab", () => {
  it("ships in two parts: each authorization captured on its own, the second refunded; a third part reversed", async () => {
    const bought = await purchase({
      home: lab.home,
      card: "visa-approve",
      purchAmt: jpy("11000"),
      firstShipmentAmount: 4000,
    });
    const id = bought.orderId;
    expect(bought.order.state).toBe("authorized");
    expect((await captureOrder(lab.home, id)).state).toBe("partiallyCaptured");
    await authorizeOrder(lab.home, id, "5000");
    const second = await captureOrder(lab.home, id, undefined, 2);
    expect(second.state).toBe("partiallyCaptured");
    expect(second.authorization?.subsequent?.[0]).toMatchObject({
      part: 2,
      capture: { capCode: "success", capAmt: { amount: 5000 } },
    });
    await expect(captureOrder(lab.home, id, undefined, 2)).rejects.toThrow(LabFailure);
    const merchant = adminOf(lab.state, "merchant");
    const refunded = await capRevOrCredOrderAt(merchant, "refund", id, { amount: "1500", authorization: 2 });
    expect(refunded.authorization?.subsequent?.[0].capRevOrCreds).toMatchObject([
      { kind: "credit", code: "success", actualAmt: { amount: 1500 } },
    ]);
    expect(refunded.authorization?.capRevOrCreds ?? []).toEqual([]);
    const history = (await adminFetch(merchant, `/orders/${id}`).then((r) => r.json())) as {
      history: { detail: string }[];
    };
    expect(history.history.slice(-2).map((h) => h.detail)).toEqual([
      "authorization 2: captured JPY 5000",
      "authorization 2: credited JPY 1500",
    ]);
    const types = (await fetchMessages(merchant, id)).map((m) => m.type);
    expect(types.filter((t) => t === "CapReq")).toHaveLength(2);
    expect(types.slice(-2)).toEqual(["CredReq", "CredRes"]);
    // NewBatchID from the merchant: the gateway refuses a batch the merchant lacks, moving nothing,
    // and books a credit naming the open batch there.
    const open = second.authorization?.subsequent?.[0].capture?.batchID;
    const credit = (amount: string, batchId: number) =>
      capRevOrCredOrderAt(merchant, "refund", id, { amount, authorization: 2, batchId });
    const unknown = await credit("100", 99999);
    expect(unknown.authorization?.subsequent?.[0].capRevOrCreds?.at(-1)).toMatchObject({
      newBatchID: 99999,
      code: "batchUnknown",
    });
    const named = await credit("100", open!);
    expect(named.authorization?.subsequent?.[0].capRevOrCreds?.at(-1)).toMatchObject({
      newBatchID: open,
      code: "success",
      batchID: open,
    });
    // A third part authorized, then not shipped: its own authorization reversed at the gateway.
    await authorizeOrder(lab.home, id, "2000");
    const cancelled = await reverseOrder(lab.home, id, undefined, 3);
    expect(cancelled.authorization?.subsequent?.at(-1)).toMatchObject({
      part: 3,
      authAmt: { amount: 0 },
      reversal: { authRevCode: "approved" },
    });
    expect(cancelled.state).toBe("partiallyCaptured");
  }, 180_000);
});

describe("capture across the running lab", () => {
  it("captures one order in full and one in part; a second capture is refused before any CapReq", async () => {
    const a = await purchase({ home: lab.home, card: "visa-approve", purchAmt: jpy("1500") });
    const b = await purchase({ home: lab.home, card: "mc-approve", purchAmt: jpy("2000") });
    expect([a.order.state, b.order.state]).toEqual(["authorized", "authorized"]);

    const full = await captureOrder(lab.home, String(a.orderId));
    expect(full.state).toBe("captured");
    expect(full.authorization?.capture).toMatchObject({ capCode: "success", capAmt: { amount: 1500 } });
    const part = await captureOrder(lab.home, String(b.orderId), "500");
    expect(part.state).toBe("partiallyCaptured");
    expect(part.authorization?.capture?.capAmt).toMatchObject({ amount: 500, amtExp10: 0 });

    await expect(captureOrder(lab.home, String(a.orderId))).rejects.toThrow(LabFailure);
    const types = (await fetchMessages(adminOf(lab.state, "merchant"), String(a.orderId))).map((m) => m.type);
    expect(types.slice(-2)).toEqual(["CapReq", "CapRes"]);
    expect(types.filter((t) => t === "CapReq")).toHaveLength(1);
  }, 120_000);

  it("reduces an authorization and then cancels it, the issuer's hold following; a captured one is not reversed", async () => {
    const held = async () =>
      (
        (await (await adminFetch(adminOf(lab.state, "gateway"), "/admin/accounts/visa-approve")).json()) as {
          held: number;
        }
      ).held;
    const before = await held();
    const a = await purchase({ home: lab.home, card: "visa-approve", purchAmt: jpy("3000") });
    expect(await held()).toBe(before + 3000);
    const reduced = await reverseOrder(lab.home, String(a.orderId), "1000");
    expect(reduced.state).toBe("authorized");
    expect(reduced.authorization).toMatchObject({
      authAmt: { amount: 1000 },
      reversal: { authRevCode: "approved" },
    });
    expect(await held()).toBe(before + 1000);
    const cancelled = await reverseOrder(lab.home, String(a.orderId));
    expect(cancelled.state).toBe("reversed");
    expect(await held()).toBe(before);
    const types = (await fetchMessages(adminOf(lab.state, "merchant"), String(a.orderId))).map((m) => m.type);
    expect(types.slice(-4)).toEqual(["AuthRevReq", "AuthRevRes", "AuthRevReq", "AuthRevRes"]);

    const b = await purchase({ home: lab.home, card: "visa-approve", purchAmt: jpy("700") });
    expect((await captureOrder(lab.home, String(b.orderId))).state).toBe("captured");
    await expect(reverseOrder(lab.home, String(b.orderId))).rejects.toThrow(LabFailure);
  }, 120_000);
});
