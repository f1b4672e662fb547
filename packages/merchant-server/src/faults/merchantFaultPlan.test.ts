import type { GatewayClient } from "../core/gatewayClient";
import { FaultPlanError, parseMerchantFaultPlan } from "./merchantFaultPlan";
import { PausingGatewayClient } from "./pausingGatewayClient";

describe("MerchantFaultPlan validation", () => {
  it("accepts the pause and the empty plan", () => {
    expect(parseMerchantFaultPlan({ pauseAfterAuthResMs: 5000 })).toEqual({ pauseAfterAuthResMs: 5000 });
    expect(parseMerchantFaultPlan({})).toEqual({});
  });

  it.each([
    [null, /JSON object/],
    [[], /JSON object/],
    [{ pause: 1 }, /unknown field "pause"/],
    [{ pauseAfterAuthResMs: -1 }, /integer from 0/],
    [{ pauseAfterAuthResMs: 1.5 }, /integer from 0/],
    [{ pauseAfterAuthResMs: "100" }, /integer from 0/],
    [{ pauseAfterAuthResMs: 600_001 }, /integer from 0/],
  ])("refuses %j", (plan, message) => {
    expect(() => parseMerchantFaultPlan(plan)).toThrow(FaultPlanError);
    expect(() => parseMerchantFaultPlan(plan)).toThrow(message);
  });
});

describe("PausingGatewayClient", () => {
  const inner: GatewayClient = { send: async () => new Uint8Array([1, 2, 3]) };

  it("hands the answer on unchanged, after logging the pause", async () => {
    const logged: unknown[] = [];
    let answeredBeforeLog = false;
    const client = new PausingGatewayClient(
      {
        send: async () => {
          answeredBeforeLog = true;
          return new Uint8Array([1, 2, 3]);
        },
      },
      () => 5,
      (f) => logged.push({ ...f, answeredBeforeLog }),
      () => "ab",
    );
    expect(await client.send("Visa", new Uint8Array([9]), { runId: "r1" })).toEqual(
      new Uint8Array([1, 2, 3]),
    );
    expect(logged).toEqual([
      { pauseMs: 5, gatewayId: "Visa", runId: "r1", xid: "ab", answeredBeforeLog: true },
    ]);
  });

  it("without a pause it logs nothing", async () => {
    const logged: unknown[] = [];
    const client = new PausingGatewayClient(
      inner,
      () => 0,
      (f) => logged.push(f),
    );
    expect(await client.send("Visa", new Uint8Array([9]), {})).toEqual(new Uint8Array([1, 2, 3]));
    expect(logged).toEqual([]);
  });

  it("a failing gateway call is not paused and fails the same way", async () => {
    const logged: unknown[] = [];
    const client = new PausingGatewayClient(
      {
        send: async () => {
          throw new Error("down");
        },
      },
      () => 5,
      (f) => logged.push(f),
    );
    await expect(client.send("Visa", new Uint8Array([9]), {})).rejects.toThrow("down");
    expect(logged).toEqual([]);
  });
});
