/** Over real HTTP on loopback: fastify's inject() loads an ESM-only dependency jest cannot require. */
import fastify from "fastify";
import { getOrderRoute, orderId } from "./orderRoute";

const orders = new Map([[7, { id: 7, state: "completed" }]]);

async function app() {
  const a = fastify();
  getOrderRoute(a, "/orders/:id", async (id) => orders.get(id));
  getOrderRoute(
    a,
    "/orders/:id/state",
    async (id) => orders.get(id),
    (order, reply) => {
      reply.header("x-order", String(order.id));
      return { state: order.state };
    },
  );
  const url = await a.listen({ port: 0, host: "127.0.0.1" });
  const get = async (path: string) => {
    const r = await fetch(`${url}${path}`);
    return { statusCode: r.status, headers: r.headers, body: await r.json() };
  };
  return { get, close: () => a.close() };
}

describe("getOrderRoute", () => {
  test("a known order gets the answer, as is or as `answer` shapes it", async () => {
    const a = await app();
    expect((await a.get("/orders/7")).body).toEqual({ id: 7, state: "completed" });
    const shaped = await a.get("/orders/7/state");
    expect(shaped.body).toEqual({ state: "completed" });
    expect(shaped.headers.get("x-order")).toBe("7");
    await a.close();
  });

  test("an unknown order and an id that is not one are the same 404", async () => {
    const a = await app();
    for (const url of [
      "/orders/8",
      "/orders/0",
      "/orders/07",
      "/orders/abc",
      "/orders/1e3/state",
      "/orders/-7",
    ]) {
      const r = await a.get(url);
      expect([url, r.statusCode, r.body]).toEqual([url, 404, { error: "no such order" }]);
    }
    await a.close();
  });
});

describe("orderId", () => {
  const req = (id?: string) => ({ params: id === undefined ? {} : { id } }) as never;
  test("positive decimal integers of up to 16 digits only", () => {
    expect(orderId(req("1"))).toBe(1);
    expect(orderId(req("1234567890123456"))).toBe(1234567890123456);
    expect(orderId(req("12345678901234567"))).toBeUndefined();
    expect(orderId(req(" 1"))).toBeUndefined();
    expect(orderId(req())).toBeUndefined();
  });
});
