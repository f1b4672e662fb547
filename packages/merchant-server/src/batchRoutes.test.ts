/** POST /captures and the batch routes on the admin plugin, over real HTTP on loopback. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nodeProvider } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import fastify from "fastify";
import { merchantAdminPlugin } from "./adminPlugin";
import { Merchant } from "./core/merchant";
import { SqliteRepository } from "./store/sqliteRepository";
import { GatewayFunction } from "./testing/gatewayFunction";
import { kitOf, pInitReq, pReq, readPInitRes } from "./testing/testCard";
import { testMerchantConfig } from "./testing/testMerchantConfig";

const p = nodeProvider();
const token = "t".repeat(43);
let pki: TestPki;
let dir: string;
let n = 0;

beforeAll(async () => {
  pki = await createTestPki(p);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-batch-routes-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };

async function setup() {
  const gateway = new GatewayFunction(p, pki);
  const merchant = new Merchant({
    p,
    repo: new SqliteRepository(path.join(dir, `b${++n}.db`)),
    config: testMerchantConfig(pki),
    gateway,
  });
  const authorize = async () => {
    const order = await merchant.createOrder({
      description: "mug",
      amount: 12800,
      currency: 392,
      amtExp10: 0,
    });
    const session = pInitReq(p, order.lidM);
    const data = await readPInitRes(
      p,
      kitOf(pki),
      session,
      (await merchant.handleSet(session.pInitReq)).response,
    );
    await merchant.handleSet(
      (await pReq(p, kitOf(pki), session, data, { description: "mug", purchAmt })).der,
    );
    return order.id;
  };
  const app = fastify();
  await app.register(merchantAdminPlugin, { merchant, token });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const call = async (
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const r = await fetch(`${url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  return { authorize, call, close: () => app.close(), gateway };
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
    totals: [{ shown: "JPY 17800" }],
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
