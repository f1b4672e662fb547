/** What `set-lab reverse` sends the merchant's admin route, against a stand-in over real HTTP. */
import { LabFailure } from "../labState";
import { merchantAdminStandIn } from "../testing/merchantAdminStandIn";
import { reverseOrderAt } from "./reverseOrder";

const standIn = (currency: number) => merchantAdminStandIn(currency, "reverse-authorization", "reversed");

describe("set-lab reverse", () => {
  test("no amount, or 0, cancels: one POST with an empty body, with the admin token", async () => {
    const s = await standIn(392);
    expect((await reverseOrderAt(s.access, "7")).state).toBe("reversed");
    await reverseOrderAt(s.access, "7", "0");
    const post = { method: "POST", url: "/orders/7/reverse-authorization", auth: "Bearer tok", body: {} };
    expect(s.seen).toEqual([post, post]);
    await s.close();
  });

  test("an amount is the new one, read in the order's currency: 12.34 of USD is 1234 x 10^-2", async () => {
    const usd = await standIn(840);
    await reverseOrderAt(usd.access, "7", "12.34");
    expect(usd.seen.map((x) => x.body)).toEqual([undefined, { amount: 1234, amtExp10: -2 }]);
    await expect(reverseOrderAt(usd.access, "7", "1.005")).rejects.toThrow(LabFailure);
    await usd.close();
  });

  test("an order id that is not a number is refused before any call", async () => {
    const s = await standIn(392);
    for (const id of ["0", "x", "7/../8"])
      await expect(reverseOrderAt(s.access, id)).rejects.toThrow(LabFailure);
    expect(s.seen).toEqual([]);
    await s.close();
  });
});
