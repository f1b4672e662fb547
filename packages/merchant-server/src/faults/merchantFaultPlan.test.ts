import type { GatewayClient } from "../core/gatewayClient";
import { FaultPlanError, parseMerchantFaultPlan } from "./merchantFaultPlan";
import { type PauseFields, PausingGatewayClient } from "./pausingGatewayClient";

describe("MerchantFaultPlan validation", () => {
  it("accepts each pause, both, and the empty plan", () => {
    expect(parseMerchantFaultPlan({ pauseAfterAuthResMs: 5000 })).toEqual({ pauseAfterAuthResMs: 5000 });
    expect(parseMerchantFaultPlan({ pauseBeforeSendMs: 0 })).toEqual({ pauseBeforeSendMs: 0 });
    expect(parseMerchantFaultPlan({ pauseBeforeSendMs: 7, pauseAfterAuthResMs: 9 })).toEqual({
      pauseBeforeSendMs: 7,
      pauseAfterAuthResMs: 9,
    });
    expect(parseMerchantFaultPlan({})).toEqual({});
  });

  it.each([
    [null, /JSON object/],
    [[], /JSON object/],
    [{ pause: 1 }, /unknown field "pause"/],
    [{ pauseAfterAuthResMs: -1 }, /pauseAfterAuthResMs must be an integer from 0/],
    [{ pauseAfterAuthResMs: 1.5 }, /integer from 0/],
    [{ pauseAfterAuthResMs: "100" }, /integer from 0/],
    [{ pauseAfterAuthResMs: 600_001 }, /integer from 0/],
    [{ pauseBeforeSendMs: -1 }, /pauseBeforeSendMs must be an integer from 0/],
    [{ pauseBeforeSendMs: 600_001 }, /pauseBeforeSendMs must be an integer from 0/],
    [{ pauseBeforeSendMs: 10, pauseAfterAuthResMs: 0.5 }, /pauseAfterAuthResMs must be/],
  ])("refuses %j", (plan, message) => {
    expect(() => parseMerchantFaultPlan(plan)).toThrow(FaultPlanError);
    expect(() => parseMerchantFaultPlan(plan)).toThrow(message);
  });
});

describe("PausingGatewayClient", () => {
  const inner: GatewayClient = { send: async () => new Uint8Array([1, 2, 3]) };
  const pauses = (before: number, after: number) => ({ before: () => before, after: () => after });

  it("pauses after the answer arrived, hands it on unchanged", async () => {
    const logged: unknown[] = [];
    let answered = false;
    const client = new PausingGatewayClient(
      {
        send: async () => {
          answered = true;
          return new Uint8Array([1, 2, 3]);
        },
      },
      pauses(0, 5),
      {
        beforeSend: (f) => logged.push({ before: f }),
        afterAnswer: (f) => logged.push({ ...f, answered }),
      },
      () => ({ xid: "ab", request: "creditRequest" }),
    );
    expect(await client.send("Visa", new Uint8Array([9]), { runId: "r1" })).toEqual(
      new Uint8Array([1, 2, 3]),
    );
    expect(logged).toEqual([
      { pauseMs: 5, gatewayId: "Visa", runId: "r1", xid: "ab", request: "creditRequest", answered: true },
    ]);
  });

  it("pauses before the request leaves: nothing is sent until the pause is over", async () => {
    const events: string[] = [];
    const client = new PausingGatewayClient(
      {
        send: async () => {
          events.push("sent");
          return new Uint8Array([1]);
        },
      },
      pauses(5, 0),
      {
        beforeSend: (f: PauseFields) => events.push(`pause ${f.pauseMs} ${f.request}`),
        afterAnswer: () => events.push("after"),
      },
      () => ({ request: "batchAdministrationRequest" }),
    );
    await client.send("Visa", new Uint8Array([9]), {});
    expect(events).toEqual(["pause 5 batchAdministrationRequest", "sent"]);
  });

  it("without a pause it logs nothing", async () => {
    const logged: unknown[] = [];
    const client = new PausingGatewayClient(inner, pauses(0, 0), {
      beforeSend: (f) => logged.push(f),
      afterAnswer: (f) => logged.push(f),
    });
    expect(await client.send("Visa", new Uint8Array([9]), {})).toEqual(new Uint8Array([1, 2, 3]));
    expect(logged).toEqual([]);
  });

  it("a failing gateway call is not paused after and fails the same way", async () => {
    const logged: unknown[] = [];
    const client = new PausingGatewayClient(
      {
        send: async () => {
          throw new Error("down");
        },
      },
      pauses(0, 5),
      { beforeSend: (f) => logged.push(f), afterAnswer: (f) => logged.push(f) },
    );
    await expect(client.send("Visa", new Uint8Array([9]), {})).rejects.toThrow("down");
    expect(logged).toEqual([]);
  });
});
