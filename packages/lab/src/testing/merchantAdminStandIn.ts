/**
 * Test-only: a stand-in for the merchant's admin routes over real HTTP, for the order commands'
 * tests: `GET /orders/:id` answers the order's currency, `POST /orders/:id/OPERATION` answers
 * `state`; every call is kept as it came.
 */
import fastify from "fastify";

export interface SeenCall {
  method: string;
  url: string;
  auth?: string;
  body?: unknown;
}

export async function merchantAdminStandIn(currency: number, operation: string, state: string) {
  const seen: SeenCall[] = [];
  const app = fastify();
  app.get("/orders/:id", async (req) => {
    seen.push({ method: "GET", url: req.url, auth: req.headers.authorization });
    return { id: 7, currency };
  });
  app.post(`/orders/:id/${operation}`, async (req) => {
    seen.push({ method: "POST", url: req.url, auth: req.headers.authorization, body: req.body });
    return { id: 7, state, currency };
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { access: { url, token: "tok" }, seen, close: () => app.close() };
}
