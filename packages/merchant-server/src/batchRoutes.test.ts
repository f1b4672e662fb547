/** POST /captures and the batch routes on the admin plugin, over real HTTP on loopback. */
import * as fs from "node:fs";
import * as path from "node:path";
import { nodeProvider } from "@setlab/protocol";
import { UsageError } from "@setlab/runtime";
import { parseCloseBatch, runCloseBatch } from "./closeBatchCommand";
import { adminTestServer, adminTestToken } from "./testing/adminTestServer";
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

describe("set-merchant close-batch", () => {
  test("closes the open batch through the admin route with the token from its file: its sales, credits and net; exit 0 closed, 1 when nothing is open", async () => {
    const s = await adminTestServer(p, kit.pki, kit.dir);
    const tokenFile = path.join(kit.dir, "close-batch-token");
    fs.writeFileSync(tokenFile, adminTestToken, { mode: 0o600 });
    const a = await s.authorize();
    await s.post(`/orders/${a}/capture`);
    const lines: string[] = [];
    const args = (...rest: string[]) =>
      parseCloseBatch(["--admin-url", s.url, "--admin-token-file", tokenFile, ...rest]);
    expect(await runCloseBatch(args("--idempotency-key", "close-1"), (l) => lines.push(l))).toBe(0);
    expect(JSON.parse(lines[0])).toMatchObject({
      code: "success",
      batchId: 1,
      totals: [
        { salesCount: 1, creditCount: 0, shown: { sales: "JPY 12800", credits: "JPY 0", net: "JPY 12800" } },
      ],
    });
    expect(await runCloseBatch(args(), (l) => lines.push(l))).toBe(1);
    expect(JSON.parse(lines[1])).toMatchObject({ code: "unknownBatch" });
    expect(await runCloseBatch(args("1"), (l) => lines.push(l))).toBe(0);
    await s.close();
  });

  test("usage mistakes are UsageErrors", () => {
    for (const argv of [
      [],
      ["--admin-url", "http://x"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "0"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "x"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "2147483648"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "1", "2"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "--other", "v"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "--idempotency-key"],
    ])
      expect(() => parseCloseBatch(argv)).toThrow(UsageError);
  });
});
