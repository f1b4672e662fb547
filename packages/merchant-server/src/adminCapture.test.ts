/** POST /orders/:id/capture on the admin plugin, over real HTTP on loopback. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nodeProvider } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import { UsageError } from "@setlab/runtime";
import { parseCapRevOrCred, runCapRevOrCred } from "./capRevOrCredCommand";
import { parseCapture, runCapture } from "./captureCommand";
import { adminTestServer, adminTestToken } from "./testing/adminTestServer";

const p = nodeProvider();
const token = adminTestToken;
let pki: TestPki;
let dir: string;

beforeAll(async () => {
  pki = await createTestPki(p);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-admin-capture-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const setup = () => adminTestServer(p, pki, dir);

describe("POST /orders/:id/capture", () => {
  test("captures all, or an amount in the order's currency; the answer is the order", async () => {
    const s = await setup();
    const [a, b] = [await s.authorize(), await s.authorize()];
    const all = await s.post(`/orders/${a}/capture`);
    expect([all.status, all.body.state]).toEqual([200, "captured"]);
    const part = await s.post(`/orders/${b}/capture`, { amount: 5000 });
    expect([part.status, part.body.state]).toEqual([200, "partiallyCaptured"]);
    expect((part.body.authorization as { capture: unknown }).capture).toMatchObject({
      capAmt: { amount: 5000 },
    });
    await s.close();
  });

  test("400 for an amount refused, 409 for an order not capturable, 404 for no order, 401 without the token", async () => {
    const s = await setup();
    const id = await s.authorize();
    const calls = s.gateway.calls;
    for (const body of [{ amount: 12801 }, { amount: 1.5 }, { amount: 10, extra: 1 }, { amtExp10: 0 }, [1]])
      expect((await s.post(`/orders/${id}/capture`, body)).status).toBe(400);
    expect(s.gateway.calls).toBe(calls);
    expect((await s.post(`/orders/${id}/capture`)).status).toBe(200);
    const again = await s.post(`/orders/${id}/capture`);
    expect([again.status, again.body.error]).toEqual([409, expect.stringContaining("captured")]);
    expect((await s.post("/orders/999/capture")).status).toBe(404);
    expect((await s.post(`/orders/${id}/capture`, undefined, "x".repeat(43))).status).toBe(401);
    await s.close();
  });
});

describe("a split shipment's later authorization over the admin routes", () => {
  test("{authorization: 2} captures and refunds the second part; a bad or unknown one is 400, a second capture 409", async () => {
    const s = await setup();
    const id = await s.authorize(4000);
    await s.post(`/orders/${id}/authorize`, { amount: 5000 });
    const calls = s.gateway.calls;
    for (const body of [{ authorization: 0 }, { authorization: "2" }, { authorization: 3 }])
      expect((await s.post(`/orders/${id}/capture`, body)).status).toBe(400);
    expect((await s.post(`/orders/${id}/refund`, { authorization: 1.5 })).status).toBe(400);
    expect((await s.post("/captures", { orders: [{ orderId: id, authorization: "2" }] })).status).toBe(400);
    expect((await s.post("/captures", { orders: [{ orderId: id, authorization: 3 }] })).status).toBe(400);
    expect(s.gateway.calls).toBe(calls);
    const captured = await s.post(`/orders/${id}/capture`, { authorization: 2, amount: 3000 });
    expect([captured.status, captured.body.state]).toEqual([200, "authorized"]);
    type Part = { capture?: { capAmt?: { amount: number } }; capRevOrCreds?: { code?: string }[] };
    const second = (body: Record<string, unknown>) =>
      (body.authorization as { subsequent: Part[] }).subsequent[0];
    expect(second(captured.body).capture?.capAmt?.amount).toBe(3000);
    expect((await s.post(`/orders/${id}/capture`, { authorization: 2 })).status).toBe(409);
    const refunded = await s.post(`/orders/${id}/refund`, { authorization: 2, amount: 1000 });
    expect([refunded.status, second(refunded.body).capRevOrCreds?.[0].code]).toEqual([200, "success"]);
    // the first part is still only authorized: nothing of it to refund
    expect((await s.post(`/orders/${id}/refund`, {})).status).toBe(409);
    // set-merchant refund --authorization 2: exit 0 when that authorization's credit was done
    const tokenFile = path.join(dir, `token-split-${Date.now()}`);
    fs.writeFileSync(tokenFile, token, { mode: 0o600 });
    const refund = (...rest: string[]) =>
      runCapRevOrCred(
        parseCapRevOrCred("refund", [
          "--admin-url",
          s.url,
          "--admin-token-file",
          tokenFile,
          String(id),
          ...rest,
        ]),
        () => {},
      );
    expect(await refund("500", "--authorization", "2")).toBe(0);
    expect(await refund("99999", "--authorization", "2")).toBe(1);
    expect(await refund("500")).toBe(1);
    expect(s.gateway.credits.booked.map((b) => b.amount)).toEqual([1000n, 500n]);
    await s.close();
  });
});

describe("GET /orders/:id/inquiry", () => {
  test("what SET says about the order: capturePerformed after the capture; 404 for no order", async () => {
    const s = await setup();
    const id = await s.authorize();
    const before = await s.call("GET", `/orders/${id}/inquiry`);
    expect([before.status, before.body.completionCode]).toEqual([200, "authorizationPerformed"]);
    await s.post(`/orders/${id}/capture`);
    const after = await s.call("GET", `/orders/${id}/inquiry`);
    expect(after.body).toMatchObject({ orderId: id, state: "captured", completionCode: "capturePerformed" });
    expect((await s.call("GET", "/orders/999/inquiry")).status).toBe(404);
    await s.close();
  });
});

describe("set-merchant capture", () => {
  test("captures through the admin route with the token from its file: exit 0 captured, 1 refused", async () => {
    const s = await setup();
    const tokenFile = path.join(dir, `token-${Date.now()}`);
    fs.writeFileSync(tokenFile, token, { mode: 0o600 });
    const [a, b] = [await s.authorize(), await s.authorize()];
    const lines: string[] = [];
    const args = (...rest: string[]) =>
      parseCapture(["--admin-url", s.url, "--admin-token-file", tokenFile, ...rest]);
    expect(await runCapture(args(String(a), "5000"), (l) => lines.push(l))).toBe(0);
    expect(JSON.parse(lines[0])).toMatchObject({ state: "partiallyCaptured" });
    expect(await runCapture(args(String(a)), (l) => lines.push(l))).toBe(1);
    expect(JSON.parse(lines[1]).error).toContain("partiallyCaptured");
    expect(await runCapture(args(String(b), "12801"), (l) => lines.push(l))).toBe(1);
    expect(await runCapture(args(String(b), "1280", "1"), (l) => lines.push(l))).toBe(0);
    expect(JSON.parse(lines[3])).toMatchObject({ state: "captured" });
    // --authorization 2: the split shipment's second part, the first left uncaptured
    const c = await s.authorize(4000);
    await s.post(`/orders/${c}/authorize`, { amount: 5000 });
    expect(await runCapture(args(String(c), "--authorization", "3"), (l) => lines.push(l))).toBe(1);
    expect(await runCapture(args(String(c), "--authorization", "2"), (l) => lines.push(l))).toBe(0);
    expect(JSON.parse(lines[5])).toMatchObject({ state: "authorized" });
    await s.close();
  });

  test("usage mistakes are UsageErrors", () => {
    for (const argv of [
      ["7"],
      ["--admin-url", "http://x", "7"],
      ["--admin-url", "http://x", "--admin-token-file", "f"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "0"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "7", "1.5"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "7", "5", "19"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "7", "5", "0", "x"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "--other", "v", "7"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "--authorization", "0", "7"],
      ["--admin-url", "http://x", "--admin-token-file", "f", "--authorization", "two", "7"],
    ])
      expect(() => parseCapture(argv)).toThrow(UsageError);
  });
});
