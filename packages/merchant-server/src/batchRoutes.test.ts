/** POST /captures and the batch routes on the admin plugin, over real HTTP on loopback. */
import { nodeProvider } from "@setlab/protocol";
import { adminTestServer } from "./testing/adminTestServer";
import { useMerchantTestKit } from "./testing/merchantTestKit";

const p = nodeProvider();
const kit = useMerchantTestKit(p, "batch-routes");

async function setup() {
  const s = await adminTestServer(p, kit.pki, kit.dir);
  return { authorize: () => s.authorize(), call: s.call, close: s.close, gateway: s.gateway };
}

test("POST /captures captures many orders in one CapReq; the batch routes show and close the batch", async () => {
  const s = await setup();
  const [a, b] = [await s.authorize(), await s.authorize()];
  const calls = s.gateway.calls;
  const r = await s.call(
    "POST",
    "/captures",
    { orders: [a, { orderId: b, amount: 5000 }] },
    { "idempotency-key": "k1" },
  );
  expect(r.status).toBe(200);
  expect(s.gateway.calls).toBe(calls + 1);
  expect((r.body.orders as { state: string }[]).map((o) => o.state)).toEqual([
    "captured",
    "partiallyCaptured",
  ]);
  const again = await s.call(
    "POST",
    "/captures",
    { orders: [a, { orderId: b, amount: 5000 }] },
    { "idempotency-key": "k1" },
  );
  expect([again.status, again.body.capRRPID]).toEqual([200, r.body.capRRPID]);
  const open = await s.call("GET", "/batches/open");
  expect(open.body).toMatchObject({
    code: "success",
    batchId: 1,
    itemCount: 2,
    totals: [{ salesCount: 2, shown: { sales: "JPY 17800", net: "JPY 17800" } }],
  });
  const closed = await s.call("POST", "/batches/close");
  expect([closed.status, closed.body.batchId, typeof closed.body.closed]).toEqual([200, 1, "string"]);
  expect((await s.call("GET", "/batches/1")).body).toMatchObject({ code: "success", itemCount: 2 });
  expect((await s.call("GET", "/batches/open")).body).toMatchObject({ code: "unknownBatch", batchId: 0 });
  await s.close();
});

test("400 for what the merchant refuses, 409 for an order not capturable or a key reused, 502 when the gateway gives no answer", async () => {
  const s = await setup();
  const a = await s.authorize();
  const calls = s.gateway.calls;
  for (const body of [
    {},
    { orders: 1 },
    { orders: [a], extra: 1 },
    { orders: [{ orderId: a, amount: 1.5 }] },
    { orders: [a, a] },
  ])
    expect((await s.call("POST", "/captures", body)).status).toBe(400);
  expect(s.gateway.calls).toBe(calls);
  await s.call("POST", "/captures", { orders: [a] }, { "idempotency-key": "k2" });
  expect((await s.call("POST", "/captures", { orders: [a] })).status).toBe(409);
  const b = await s.authorize();
  expect((await s.call("POST", "/captures", { orders: [b] }, { "idempotency-key": "k2" })).status).toBe(409);
  expect((await s.call("GET", "/batches/0")).status).toBe(400);
  expect((await s.call("POST", "/batches/close", { batchId: "1" })).status).toBe(400);
  s.gateway.mode = "down";
  expect((await s.call("POST", "/batches/close")).status).toBe(502);
  await s.close();
});
