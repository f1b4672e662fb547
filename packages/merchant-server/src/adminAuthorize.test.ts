/** POST /orders/:id/authorize on the admin plugin, over real HTTP on loopback. */
import { nodeProvider } from "@setlab/protocol";
import { adminTestServer, adminTestToken } from "./testing/adminTestServer";
import { useMerchantTestKit } from "./testing/merchantTestKit";

const p = nodeProvider();
const kit = useMerchantTestKit(p, "admin-authorize");

async function setup() {
  const s = await adminTestServer(p, kit.pki, kit.dir);
  const post = (route: string, body: unknown, key?: string) =>
    s.post(route, body, adminTestToken, key ? { "idempotency-key": key } : {});
  return { authorized: s.authorize, post, close: s.close, gateway: s.gateway };
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
