/** What `set-lab capture` sends the merchant's admin route, against a stand-in over real HTTP. */
import { LabFailure } from "../labState";
import { merchantAdminStandIn } from "../testing/merchantAdminStandIn";
import { captureOrderAt } from "./captureOrder";
import { authorizationNumber } from "./orderAdminRoute";

const standIn = (currency: number) => merchantAdminStandIn(currency, "capture", "captured");

describe("set-lab capture", () => {
  test("no amount captures all: one POST with an empty body, with the admin token", async () => {
    const s = await standIn(392);
    expect((await captureOrderAt(s.access, "7")).state).toBe("captured");
    expect(s.seen).toEqual([{ method: "POST", url: "/orders/7/capture", auth: "Bearer tok", body: {} }]);
    await s.close();
  });

  test("an amount is read in the order's currency: 12.34 of USD is 1234 x 10^-2, 5000 of JPY 5000 x 10^0", async () => {
    const usd = await standIn(840);
    await captureOrderAt(usd.access, "7", "12.34");
    expect(usd.seen.map((x) => x.body)).toEqual([undefined, { amount: 1234, amtExp10: -2 }]);
    await usd.close();
    const jpy = await standIn(392);
    await captureOrderAt(jpy.access, "7", "5000");
    expect(jpy.seen.at(-1)?.body).toEqual({ amount: 5000, amtExp10: 0 });
    await expect(captureOrderAt(jpy.access, "7", "50.5")).rejects.toThrow(LabFailure);
    await jpy.close();
  });

  test("--authorization N names the purchase's authorization in the body; a bad N is refused before any call", async () => {
    const s = await standIn(392);
    await captureOrderAt(s.access, "7", "5000", 2);
    expect(s.seen.at(-1)?.body).toEqual({ amount: 5000, amtExp10: 0, authorization: 2 });
    for (const bad of ["0", "x", "1.5"]) expect(() => authorizationNumber(bad)).toThrow(LabFailure);
    expect(authorizationNumber("3")).toBe(3);
    await s.close();
  });

  test("an order id that is not a number is refused before any call", async () => {
    const s = await standIn(392);
    for (const id of ["0", "x", "7/../8", "-1"])
      await expect(captureOrderAt(s.access, id)).rejects.toThrow(LabFailure);
    expect(s.seen).toEqual([]);
    await s.close();
  });
});
