/** POST /orders/:id/reverse-authorization on the admin plugin and `set-merchant reverse`, over real HTTP on loopback. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nodeProvider } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import { UsageError } from "@setlab/runtime";
import { parseReverse, runReverse } from "./reverseCommand";
import { adminTestServer, adminTestToken } from "./testing/adminTestServer";

const p = nodeProvider();
let pki: TestPki;
let dir: string;

beforeAll(async () => {
  pki = await createTestPki(p);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-admin-reversal-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const setup = () => adminTestServer(p, pki, dir);

describe("POST /orders/:id/reverse-authorization", () => {
  test("{} cancels, {amount} reduces; the answer is the order", async () => {
    const s = await setup();
    const [a, b] = [await s.authorize(), await s.authorize()];
    const cancel = await s.post(`/orders/${a}/reverse-authorization`, {});
    expect([cancel.status, cancel.body.state]).toEqual([200, "reversed"]);
    const reduce = await s.post(`/orders/${b}/reverse-authorization`, { amount: 5000 });
    expect([reduce.status, reduce.body.state]).toEqual([200, "authorized"]);
    expect(reduce.body.authorization).toMatchObject({
      authAmt: { amount: 5000 },
      reversal: { authRevCode: "approved" },
    });
    await s.close();
  });

  test("an Idempotency-Key header makes a repeat act once", async () => {
    const s = await setup();
    const id = await s.authorize();
    const headers = { "idempotency-key": "rev-1" };
    const first = await s.post(`/orders/${id}/reverse-authorization`, { amount: 5000 }, undefined, headers);
    const calls = s.gateway.calls;
    const again = await s.post(`/orders/${id}/reverse-authorization`, { amount: 5000 }, undefined, headers);
    expect([again.status, again.body.authorization]).toEqual([200, first.body.authorization]);
    expect(s.gateway.calls).toBe(calls);
    expect(
      (await s.post(`/orders/${id}/reverse-authorization`, { amount: 1 }, undefined, headers)).status,
    ).toBe(400);
    await s.close();
  });

  test("400 for an amount refused, 409 for an order not reversible, 404 for no order, 401 without the token", async () => {
    const s = await setup();
    const id = await s.authorize();
    const calls = s.gateway.calls;
    for (const body of [{ amount: 12800 }, { amount: -1 }, { amount: 1.5 }, { amount: 10, extra: 1 }, [1]])
      expect((await s.post(`/orders/${id}/reverse-authorization`, body)).status).toBe(400);
    expect(s.gateway.calls).toBe(calls);
    expect((await s.post(`/orders/${id}/capture`)).status).toBe(200);
    const after = await s.post(`/orders/${id}/reverse-authorization`);
    expect([after.status, after.body.error]).toEqual([409, expect.stringContaining("captured")]);
    expect((await s.post("/orders/999/reverse-authorization")).status).toBe(404);
    expect((await s.post(`/orders/${id}/reverse-authorization`, {}, "x".repeat(43))).status).toBe(401);
    await s.close();
  });
});

describe("set-merchant reverse", () => {
  test("reverses through the admin route: exit 0 approved, 1 refused", async () => {
    const s = await setup();
    const tokenFile = path.join(dir, `token-${Date.now()}`);
    fs.writeFileSync(tokenFile, adminTestToken, { mode: 0o600 });
    const [a, b] = [await s.authorize(), await s.authorize()];
    const lines: string[] = [];
    const args = (...rest: string[]) =>
      parseReverse(["--admin-url", s.url, "--admin-token-file", tokenFile, ...rest]);
    expect(await runReverse(args(String(a), "5000"), (l) => lines.push(l))).toBe(0);
    expect(JSON.parse(lines[0])).toMatchObject({
      state: "authorized",
      authorization: { authAmt: { amount: 5000 } },
    });
    expect(await runReverse(args(String(a), "0"), (l) => lines.push(l))).toBe(0);
    expect(JSON.parse(lines[1])).toMatchObject({ state: "reversed" });
    s.gateway.authRevCode = "declined";
    expect(await runReverse(args(String(b)), (l) => lines.push(l))).toBe(1);
    expect(JSON.parse(lines[2])).toMatchObject({
      state: "authorized",
      authorization: { reversal: { authRevCode: "declined" } },
    });
    expect(await runReverse(args(String(a)), (l) => lines.push(l))).toBe(1);
    // --authorization 2: a split shipment's second part, reduced; an unknown part is 400 (exit 1)
    s.gateway.authRevCode = undefined;
    const c = await s.authorize(4000);
    await s.post(`/orders/${c}/authorize`, { amount: 5000 });
    expect(await runReverse(args(String(c), "2000", "--authorization", "3"), (l) => lines.push(l))).toBe(1);
    expect((await s.post(`/orders/${c}/reverse-authorization`, { authorization: 3 })).status).toBe(400);
    expect(await runReverse(args(String(c), "2000", "--authorization", "2"), (l) => lines.push(l))).toBe(0);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({
      state: "authorized",
      authorization: { authAmt: { amount: 4000 }, subsequent: [{ part: 2, authAmt: { amount: 2000 } }] },
    });
    await s.close();
  });

  test("usage mistakes are UsageErrors", () => {
    for (const argv of [
      ["7"],
      ["--admin-url", "http://x", "--admin-token-file", "f"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "7", "-1"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "7", "1.5"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "7", "5", "0", "x"],
    ])
      expect(() => parseReverse(argv)).toThrow(UsageError);
    expect(parseReverse(["--admin-url", "http://x", "--admin-token-file", "f", "7", "0"]).amount).toBe(0);
  });
});
