/**
 * Later authorizations across real processes: the buyer's card signs installment or recurring
 * terms (`set-lab purchase --installments N | --recurring DAYS:DATE`, the mediator's flags), the
 * merchant's HOD check includes the order's terms, the gateway approves with an AuthToken, and
 * `set-lab authorize` makes the later payments through the merchant's admin route. A recurring
 * payment's period passes with `set-lab authorize --advance`, which moves the lab gateway's clock
 * of AuthToken schedules ahead for that one authorization.
 */
import { fetchMessages } from "./capture";
import { authorizeOrder } from "./commands/authorizeOrder";
import { getFaults } from "./commands/fault";
import { purchase } from "./commands/purchase";
import { purchAmtOf } from "./currency";
import { adminOf, LabFailure } from "./labState";
import { useRunningLab } from "./testing/runningLab";

const lab = useRunningLab("recurring-e2e");

const jpy = (amount: string) => purchAmtOf(amount, "JPY");

describe("installments and recurring payments across the running lab", () => {
  it("three installments: the purchase and two later payments are authorized; nothing allows a fourth", async () => {
    const r = await purchase({
      home: lab.home,
      card: "visa-approve",
      purchAmt: jpy("1000"),
      terms: { installments: 3 },
    });
    expect(r.mediator.outcome).toBe("approved");
    expect(r.order.state).toBe("authorized");
    const second = await authorizeOrder(lab.home, r.orderId, "1000");
    expect(second.authorization?.subsequent?.at(-1)).toMatchObject({ part: 2, authCode: "approved" });
    const third = await authorizeOrder(lab.home, r.orderId, "1000");
    expect(third.authorization?.subsequent?.at(-1)).toMatchObject({ part: 3, authCode: "approved" });
    expect(third.state).toBe("authorized");
    // The third payment's AuthRes carried no AuthToken: the merchant refuses a fourth before asking.
    await expect(authorizeOrder(lab.home, r.orderId, "1000")).rejects.toThrow(LabFailure);
    const types = (await fetchMessages(adminOf(lab.state, "merchant"), r.orderId)).map((m) => m.type);
    expect(types.filter((t) => t === "AuthReq")).toHaveLength(3);
  }, 120_000);

  it("recurring every 30 days: the next payment today is refused by the gateway; 31 days ahead it is approved, and the one after it is refused until its own period passed", async () => {
    const r = await purchase({
      home: lab.home,
      card: "visa-approve",
      purchAmt: jpy("500"),
      terms: { recurringDays: 30, recurringExpiry: "2099-12-31" },
    });
    expect(r.order.state).toBe("authorized");
    const early = await authorizeOrder(lab.home, r.orderId, "500");
    expect(early.authorization?.subsequent?.at(-1)).toMatchObject({ part: 2, authCode: "authTokenRejected" });
    const day = 86_400;
    const due = await authorizeOrder(lab.home, r.orderId, "500", { advanceSeconds: 31 * day });
    expect(due.authorization?.subsequent?.at(-1)).toMatchObject({ part: 2, authCode: "approved" });
    // The advance held for that authorization only: the gateway's plan is back as it was.
    expect(await getFaults(lab.home, "gateway")).toEqual({});
    // The new AuthToken counts from day 31: day 31 again is too early, day 62 is its period.
    const again = await authorizeOrder(lab.home, r.orderId, "500", { advanceSeconds: 31 * day });
    expect(again.authorization?.subsequent?.at(-1)).toMatchObject({ part: 3, authCode: "authTokenRejected" });
    const next = await authorizeOrder(lab.home, r.orderId, "500", { advanceSeconds: 62 * day });
    expect(next.authorization?.subsequent?.at(-1)).toMatchObject({ part: 3, authCode: "approved" });
  }, 120_000);
});
