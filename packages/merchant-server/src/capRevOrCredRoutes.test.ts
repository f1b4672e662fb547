/** POST /orders/:id/refund, /reverse-capture and /reverse-refund on the admin plugin, over real HTTP on loopback. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nodeProvider } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import { UsageError } from "@setlab/runtime";
import { closedAtEnd } from "@setlab/runtime/testing";
import fastify from "fastify";
import { merchantAdminPlugin } from "./adminPlugin";
import { parseCapRevOrCred, runCapRevOrCred } from "./capRevOrCredCommand";
import { Merchant } from "./core/merchant";
import { SqliteRepository } from "./store/sqliteRepository";
import { GatewayFunction } from "./testing/gatewayFunction";
import { kitOf, pInitReq, pReq, readPInitRes } from "./testing/testCard";
import { testMerchantConfig } from "./testing/testMerchantConfig";

const p = nodeProvider();
const token = "t".repeat(43);
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
let pki: TestPki;
let dir: string;

beforeAll(async () => {
  pki = await createTestPki(p);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-admin-credit-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function setup() {
  const gateway = new GatewayFunction(p, pki);
  const repo = closedAtEnd(new SqliteRepository(path.join(dir, `a${Date.now()}-${Math.random()}.db`)));
  const merchant = new Merchant({ p, repo, config: testMerchantConfig(pki), gateway });
  const order = await merchant.createOrder({ description: "mug", ...purchAmt });
  const session = pInitReq(p, order.lidM);
  const data = await readPInitRes(
    p,
    kitOf(pki),
    session,
    (await merchant.handleSet(session.pInitReq)).response,
  );
  await merchant.handleSet((await pReq(p, kitOf(pki), session, data, { description: "mug", purchAmt })).der);
  const app = fastify();
  await app.register(merchantAdminPlugin, { merchant, token });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const post = async (route: string, body: unknown = {}, headers: Record<string, string> = {}) => {
    const r = await fetch(`${url}${route}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  return { id: order.id, merchant, gateway, post, url, close: () => app.close() };
}

/** `set-merchant refund|reverse-capture|reverse-refund` against the setup's admin routes; what each printed. */
function cliOf(s: { readonly id: number; readonly url: string }) {
  const tokenFile = path.join(dir, `token-${s.id}-${Math.random()}`);
  fs.writeFileSync(tokenFile, token, { mode: 0o600 });
  const lines: string[] = [];
  const run = (command: "refund" | "reverse-capture" | "reverse-refund", ...rest: string[]) =>
    runCapRevOrCred(
      parseCapRevOrCred(command, ["--admin-url", s.url, "--admin-token-file", tokenFile, ...rest]),
      (l) => lines.push(l),
    );
  return { tokenFile, lines, run };
}

type Entries = { id: string; kind: string; code?: string }[];
const entriesOf = (body: Record<string, unknown>) =>
  (body.authorization as { capRevOrCreds?: Entries }).capRevOrCreds ?? [];

describe("admin routes after the capture", () => {
  test("refund, reverse-refund, refund again, reverse-capture refused while credit stands: each answers the order", async () => {
    const s = await setup();
    expect((await s.post(`/orders/${s.id}/refund`)).status).toBe(409);
    await s.merchant.capture(s.id);
    const part = await s.post(`/orders/${s.id}/refund`, { amount: 3000 }, { "idempotency-key": "r1" });
    expect([part.status, part.body.state]).toEqual([200, "partiallyRefunded"]);
    const again = await s.post(`/orders/${s.id}/refund`, { amount: 3000 }, { "idempotency-key": "r1" });
    expect(entriesOf(again.body)).toHaveLength(1);
    const reused = await s.post(`/orders/${s.id}/refund`, { amount: 10 }, { "idempotency-key": "r1" });
    expect([reused.status, reused.body.code]).toEqual([409, "idempotencyKeyReused"]);
    const over = await s.post(`/orders/${s.id}/refund`, { amount: 9801 });
    expect([over.status, over.body.code]).toEqual([400, "overAmount"]);
    expect((await s.post(`/orders/${s.id}/reverse-capture`)).status).toBe(409);
    const creditId = entriesOf(part.body)[0].id;
    const back = await s.post(`/orders/${s.id}/reverse-refund`, { creditId });
    expect([back.status, back.body.state]).toEqual([200, "refundReversed"]);
    const reversed = await s.post(`/orders/${s.id}/reverse-capture`);
    expect([reversed.status, reversed.body.state]).toEqual([200, "captureReversed"]);
    await s.close();
  });

  test("bad input is 400 before any message; an unknown order 404", async () => {
    const s = await setup();
    await s.merchant.capture(s.id);
    const calls = s.gateway.calls;
    for (const [route, body] of [
      ["refund", { amount: 1.5 }],
      ["refund", { amount: 1, extra: true }],
      ["refund", [1]],
      ["reverse-capture", { amount: 1 }],
      ["reverse-refund", { creditId: "xyz" }],
      ["refund", { batchId: 0 }],
      ["reverse-capture", { batchId: "1" }],
    ] as const)
      expect([route, (await s.post(`/orders/${s.id}/${route}`, body)).status]).toEqual([route, 400]);
    expect((await s.post(`/orders/${s.id}/refund`, {}, { "idempotency-key": "" })).status).toBe(400);
    expect((await s.post("/orders/999/refund")).status).toBe(404);
    expect(s.gateway.calls).toBe(calls);
    await s.close();
  });

  test("set-merchant refund, reverse-refund, reverse-capture call the routes; exit 0 when done, 1 when not", async () => {
    const s = await setup();
    await s.merchant.capture(s.id);
    const { tokenFile, lines, run } = cliOf(s);
    expect(await run("refund", String(s.id), "3000", "--idempotency-key", "k1")).toBe(0);
    expect(await run("refund", String(s.id), "3000", "--idempotency-key", "k1")).toBe(0);
    expect(await run("refund", String(s.id), "99999")).toBe(1);
    expect(await run("reverse-capture", String(s.id))).toBe(1);
    const credit = (JSON.parse(lines[0]) as { authorization: { capRevOrCreds: { id: string }[] } })
      .authorization.capRevOrCreds[0].id;
    expect(await run("reverse-refund", String(s.id), "--credit", credit)).toBe(0);
    expect(await run("reverse-capture", String(s.id))).toBe(0);
    expect(s.gateway.credits.booked.map((b) => b.kind)).toEqual([
      "credit",
      "creditReversal",
      "captureReversal",
    ]);
    for (const bad of [
      () =>
        parseCapRevOrCred("reverse-capture", [
          "--admin-url",
          s.url,
          "--admin-token-file",
          tokenFile,
          "1",
          "5",
        ]),
      () =>
        parseCapRevOrCred("refund", [
          "--admin-url",
          s.url,
          "--admin-token-file",
          tokenFile,
          "1",
          "--credit",
          "ab".repeat(20),
        ]),
      () =>
        parseCapRevOrCred("reverse-refund", [
          "--admin-url",
          s.url,
          "--admin-token-file",
          tokenFile,
          "1",
          "--credit",
          "xyz",
        ]),
      ...["0", "x", "2147483648"].map(
        (n) => () =>
          parseCapRevOrCred("refund", [
            "--admin-url",
            s.url,
            "--admin-token-file",
            tokenFile,
            "1",
            "--batch",
            n,
          ]),
      ),
    ])
      expect(bad).toThrow(UsageError);
    await s.close();
  });

  test("--batch and the body's batchId name the batch: the open one takes the credit, a closed or unknown one refuses it", async () => {
    const s = await setup();
    await s.merchant.capture(s.id);
    const { lines, run } = cliOf(s);
    const refund = (...rest: string[]) => run("refund", String(s.id), ...rest);
    const last = () => entriesOf(JSON.parse(lines.at(-1)!)).at(-1);
    expect(await refund("100", "--batch", "1")).toBe(0);
    expect(last()).toMatchObject({ newBatchID: 1, code: "success", batchID: 1 });
    await s.merchant.closeBatch();
    expect(await refund("100", "--batch", "1")).toBe(1);
    expect(last()).toMatchObject({ newBatchID: 1, code: "batchClosed" });
    const unknown = await s.post(`/orders/${s.id}/refund`, { amount: 100, batchId: 2 });
    expect([unknown.status, entriesOf(unknown.body).at(-1)?.code]).toEqual([200, "batchUnknown"]);
    expect(s.gateway.credits.booked.map((b) => `${b.kind} ${b.amount}`)).toEqual(["credit 100"]);
    await s.close();
  });
});
