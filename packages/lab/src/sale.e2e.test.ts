/**
 * A selling merchant across real processes: `set-lab up --capture-now` starts `set-merchant serve
 * --capture-now`, a purchase made by the mediator is authorized and captured by its AuthReq (the
 * buyer told capturePerformed), and the sale is refunded through the merchant's admin route: the
 * CredReq carries the CapToken the sale's AuthRes gave, and the gateway returns the money.
 */
import { adminFetch } from "@setlab/runtime";
import { fetchMessages } from "./capture";
import { capRevOrCredOrderAt } from "./commands/capRevOrCredOrder";
import { captureOrder } from "./commands/captureOrder";
import { purchase } from "./commands/purchase";
import { purchAmtOf } from "./currency";
import { adminOf, LabFailure } from "./labState";
import { useRunningLab } from "./testing/runningLab";

const lab = useRunningLab("sale-e2e", { captureNow: true });

const posted = async () =>
  (
    (await (await adminFetch(adminOf(lab.state, "gateway"), "/admin/accounts/visa-approve")).json()) as {
      held: number;
      posted: number;
    }
  ).posted;

describe("a merchant that sells (set-merchant serve --capture-now)", () => {
  it("captures the purchase with its authorization, then refunds part of the sale", async () => {
    expect(lab.state.parties.merchant.argv).toContain("--capture-now");
    const before = await posted();
    const sold = await purchase({
      home: lab.home,
      card: "visa-approve",
      purchAmt: purchAmtOf("3000", "JPY"),
    });
    expect(sold.mediator.completionCode).toBe("capturePerformed");
    expect(sold.order.state).toBe("captured");
    expect(await posted()).toBe(before + 3000);
    await expect(captureOrder(lab.home, sold.orderId)).rejects.toThrow(LabFailure);

    const merchant = adminOf(lab.state, "merchant");
    const refunded = await capRevOrCredOrderAt(merchant, "refund", sold.orderId, { amount: "1000" });
    expect(refunded.state).toBe("partiallyRefunded");
    expect(refunded.authorization?.capRevOrCreds?.[0]).toMatchObject({
      kind: "credit",
      code: "success",
      actualAmt: { amount: 1000 },
    });
    expect(await posted()).toBe(before + 2000);
    const types = (await fetchMessages(merchant, sold.orderId)).map((m) => m.type);
    expect(types.slice(-4)).toEqual(["AuthRes", "PRes", "CredReq", "CredRes"]);
  }, 180_000);
});
