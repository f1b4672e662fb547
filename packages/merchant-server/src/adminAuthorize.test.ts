/** POST /orders/:id/authorize on the admin plugin, over real HTTP on loopback. */
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
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-admin-authorize-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };

async function setup() {
  const gateway = new GatewayFunction(p, pki);
  const merchant = new Merchant({
    p,
    repo: new SqliteRepository(path.join(dir, `a${++n}.db`)),
    config: testMerchantConfig(pki),
    gateway,
  });
  const authorized = async (firstShipmentAmount?: number) => {
    const order = await merchant.createOrder({
      description: "mug",
      ...purchAmt,
      ...(firstShipmentAmount !== undefined ? { firstShipmentAmount } : {}),
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
  const post = async (route: string, body: unknown, key?: string) => {
    const r = await fetch(`${url}${route}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        ...(key ? { "idempotency-key": key } : {}),
      },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  return { authorized, post, close: () => app.close(), gateway };
}

type View = { authorization: { subsequent?: { part: number; authCode?: string }[] } };

describe("POST /orders/:id/authorize", () => {
  test("a split shipment's next part: 200 with the order, the part last; an Idempotency-Key repeat acts once", async () => {
    const s = await setup();
    const id = await s.authorized(4000);
    const r = await s.post(`/orders/${id}/authorize`, { amount: 5000 }, "part-2");
    expect(r.status).toBe(200);
    expect((r.body as unknown as View).authorization.subsequent?.at(-1)).toMatchObject({
      part: 2,
      authCode: "approved",
    });
    const calls = s.gateway.calls;
    const again = await s.post(`/orders/${id}/authorize`, { amount: 5000 }, "part-2");
    expect([again.status, s.gateway.calls]).toEqual([200, calls]);
    expect((await s.post(`/orders/${id}/authorize`, { amount: 100 }, "part-2")).status).toBe(409);
    await s.close();
  });

  test("400 without an amount, a bad body, or no AuthToken; 404 no order; 409 an order not authorized", async () => {
    const s = await setup();
    const split = await s.authorized(4000);
    expect((await s.post(`/orders/${split}/authorize`, {})).status).toBe(400);
    expect((await s.post(`/orders/${split}/authorize`, { amount: "5000" })).status).toBe(400);
    expect((await s.post(`/orders/${split}/authorize`, { amount: 1, other: 2 })).status).toBe(400);
    const whole = await s.authorized();
    expect((await s.post(`/orders/${whole}/authorize`, { amount: 1 })).status).toBe(400);
    expect((await s.post("/orders/9999/authorize", { amount: 1 })).status).toBe(404);
    s.gateway.mode = "decline";
    const declined = await s.authorized(4000);
    expect((await s.post(`/orders/${declined}/authorize`, { amount: 1 })).status).toBe(409);
    await s.close();
  });
});
