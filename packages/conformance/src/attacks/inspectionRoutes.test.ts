/**
 * The inspection attacks' verdict against a lab whose routes are open (as they were before the
 * admin listeners): a stand-in party that answers every route. The verdict must be "not refused";
 * the run against a real lab (`pnpm attacks --only inspection/`) shows the refusal.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { AttackTarget } from "./attack";
import { attackRandom } from "./attackRandom";
import { gatewayInspection, merchantInspection } from "./inspectionRoutes";

let server: http.Server;
let base: string;
let nextOrder = 1;

beforeAll(async () => {
  // Every route answers, with or without a token: the open lab.
  server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method === "POST" && req.url === "/orders") {
        res.statusCode = 201;
        const id = nextOrder++;
        res.end(JSON.stringify({ id, lidM: `order-${id}`, state: "created" }));
      } else if (req.url?.startsWith("/orders/")) res.end(JSON.stringify({ id: 1, state: "created" }));
      else if (req.url?.startsWith("/admin/accounts/")) res.end(JSON.stringify({ held: 0 }));
      else res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const target = (): AttackTarget => ({
  home: "/nowhere",
  pki: "/nowhere/pki",
  merchantUrl: base,
  gatewayUrl: base,
  merchantAdmin: { url: base, token: "t".repeat(43) },
  gatewayAdmin: { url: base, token: "t".repeat(43) },
  phoneUrl: "tcp://127.0.0.1:1",
  pin: "1234",
});

it.each([merchantInspection, gatewayInspection])(
  "$id is not refused by a lab whose routes are open",
  async (attack) => {
    const outcome = await attack.run(target(), attackRandom(1, attack.id));
    expect(outcome.refused).toBe(false);
    expect(outcome.detail).toMatch(/answered GET \/(orders|admin)\/.*HTTP 200/);
  },
);
