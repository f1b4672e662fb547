import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { nodeProvider } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import { closedAtEnd } from "@setlab/runtime/testing";
import { Merchant } from "../core/merchant";
import { SqliteRepository } from "../store/sqliteRepository";
import { GatewayFunction, type GatewayMode } from "../testing/gatewayFunction";
import { kitOf, pInitReq, pReq, readPInitRes } from "../testing/testCard";
import { testMerchantConfig } from "../testing/testMerchantConfig";
import type { OrderEvent } from "./orderEvent";
import { deliverDueWebhooks, retryDelayMs, type WebhookOptions } from "./webhookDelivery";
import { verifyWebhook } from "./webhookSignature";

const p = nodeProvider();
let pki: TestPki;
let dir: string;
let n = 0;
const description = "1 x SET Lab mug";
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };
const secret = "s".repeat(40);

beforeAll(async () => {
  pki = await createTestPki(p);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-events-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function setup(webhook?: WebhookOptions, db = path.join(dir, `e${++n}.db`)) {
  const repo = closedAtEnd(new SqliteRepository(db));
  const gateway = new GatewayFunction(p, pki);
  const errors: unknown[] = [];
  const merchant = new Merchant({
    p,
    repo,
    config: testMerchantConfig(pki),
    gateway,
    ...(webhook ? { webhook } : {}),
    onListenerError: (e) => errors.push(e),
  });
  return { repo, gateway, merchant, errors, db };
}

async function purchase(merchant: Merchant, gateway: GatewayFunction, mode: GatewayMode) {
  gateway.mode = mode;
  const order = await merchant.createOrder({ description, ...purchAmt, reference: "A-1001" });
  const session = pInitReq(p, order.lidM);
  const init = await merchant.handleSet(session.pInitReq);
  const data = await readPInitRes(p, kitOf(pki), session, init.response);
  await merchant.handleSet((await pReq(p, kitOf(pki), session, data, { description, purchAmt })).der);
  return order;
}

describe("order events", () => {
  test.each([
    ["approve", ["authorized"]],
    ["decline", ["declined"]],
    ["partial", ["partiallyAuthorized"]],
    ["down", ["failed"]],
  ] as const)(
    "gateway %s -> %j, to listeners of the type and of *, and stored with the order",
    async (mode, types) => {
      const { merchant, gateway, repo } = setup();
      const byType: OrderEvent[] = [];
      const all: OrderEvent[] = [];
      merchant.on(types[0], (e) => {
        byType.push(e);
      });
      merchant.on("*", (e) => {
        all.push(e);
      });
      const order = await purchase(merchant, gateway, mode);
      expect(all.map((e) => e.type)).toEqual(types);
      expect(byType).toEqual(all);
      expect(all[0]).toMatchObject({
        order: { id: order.id, lidM: order.lidM, reference: "A-1001", amount: purchAmt },
      });
      expect(all[0].id).toMatch(/^evt_[0-9a-f]{32}$/);
      expect(await merchant.events(order.id)).toEqual(all);
      await repo.close();
    },
  );

  test("an approval carries the authorized amount; a failure its reason", async () => {
    const { merchant, gateway, repo } = setup();
    const seen: OrderEvent[] = [];
    merchant.on("*", (e) => {
      seen.push(e);
    });
    await purchase(merchant, gateway, "partial");
    await purchase(merchant, gateway, "down");
    expect(seen[0].authorizedAmount).toEqual({ ...purchAmt, amount: 6400 });
    expect(seen[0].completionCode).toBe("authorizationPerformed");
    expect(seen[1].reason).toMatch(/connection refused/);
    await repo.close();
  });

  test("a listener that throws or rejects is reported; the others still hear the event", async () => {
    const { merchant, gateway, repo, errors } = setup();
    const heard: string[] = [];
    merchant.on("authorized", () => {
      throw new Error("boom");
    });
    merchant.on("authorized", async () => {
      throw new Error("async boom");
    });
    const off = merchant.on("authorized", (e) => {
      heard.push(e.type);
    });
    await purchase(merchant, gateway, "approve");
    await new Promise((r) => setImmediate(r));
    expect(heard).toEqual(["authorized"]);
    expect(errors.map((e) => (e as Error).message).sort()).toEqual(["async boom", "boom"]);
    off();
    await purchase(merchant, gateway, "approve");
    expect(heard).toEqual(["authorized"]);
    await repo.close();
  });

  test("without a webhook nothing is queued for delivery", async () => {
    const { merchant, gateway, repo } = setup();
    await purchase(merchant, gateway, "approve");
    expect(await repo.dueWebhooks(new Date(Date.now() + 86_400_000).toISOString(), 10)).toEqual([]);
    expect(await merchant.deliverWebhooks()).toEqual([]);
    await repo.close();
  });
});

/** A shop's webhook endpoint: answers each POST with the next status in `statuses` (then 200). */
async function endpoint(statuses: number[]) {
  const received: { body: string; signature: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        body: Buffer.concat(chunks).toString("utf8"),
        signature: req.headers["setlab-signature"] as string | undefined,
      });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("webhooks", () => {
  test("signed, retried with backoff after a failure, and kept across a restart until delivered", async () => {
    const hook = await endpoint([500]);
    try {
      const options: WebhookOptions = { url: hook.url, secret, initialDelayMs: 1000 };
      const first = setup(options);
      const order = await purchase(first.merchant, first.gateway, "approve");
      const t0 = new Date();
      const [failed] = await deliverDueWebhooks(first.repo, options, () => t0);
      expect(failed).toMatchObject({ delivered: false, error: "HTTP 500" });
      // Not due again before its delay.
      expect(await deliverDueWebhooks(first.repo, options, () => new Date(t0.getTime() + 999))).toEqual([]);
      expect(await first.repo.nextWebhookAt()).toBe(new Date(t0.getTime() + 1000).toISOString());
      await first.repo.close();

      // A new process on the same store delivers what the stopped one had not.
      const second = setup(options, first.db);
      const later = new Date(t0.getTime() + 1000);
      const [ok] = await deliverDueWebhooks(second.repo, options, () => later);
      expect(ok).toMatchObject({ delivered: true });
      expect(await deliverDueWebhooks(second.repo, options, () => new Date(later.getTime() + 1e9))).toEqual(
        [],
      );
      expect(hook.received).toHaveLength(2);
      // The same bytes each time; the signature is fresh, over the attempt's own time.
      expect(hook.received[1].body).toBe(hook.received[0].body);
      const event = verifyWebhook({
        body: hook.received[1].body,
        signature: hook.received[1].signature,
        secret,
        now: later,
      });
      expect(event).toMatchObject({ type: "authorized", order: { id: order.id } });
      expect(() =>
        verifyWebhook({
          body: hook.received[1].body,
          signature: hook.received[1].signature,
          secret: "x".repeat(40),
          now: later,
        }),
      ).toThrow(expect.objectContaining({ code: "signatureMismatch" }));
      await second.repo.close();
    } finally {
      await hook.close();
    }
  });

  test("an endpoint that never takes it: given up after maxAttempts", async () => {
    const hook = await endpoint([503, 503, 503]);
    try {
      const options: WebhookOptions = { url: hook.url, secret, maxAttempts: 3 };
      const { merchant, gateway, repo } = setup(options);
      await purchase(merchant, gateway, "decline");
      const far = (k: number) => () => new Date(Date.now() + k * 86_400_000);
      expect((await deliverDueWebhooks(repo, options, far(1)))[0]).toMatchObject({ delivered: false });
      expect((await deliverDueWebhooks(repo, options, far(2)))[0]).toMatchObject({ delivered: false });
      expect((await deliverDueWebhooks(repo, options, far(3)))[0]).toMatchObject({
        delivered: false,
        gaveUp: true,
      });
      expect(await deliverDueWebhooks(repo, options, far(4))).toEqual([]);
      expect(await repo.nextWebhookAt()).toBeUndefined();
      expect(hook.received).toHaveLength(3);
      await repo.close();
    } finally {
      await hook.close();
    }
  });

  test("backoff doubles from the first delay up to the longest", () => {
    const o = { url: "http://x", secret, initialDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, o))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  test("a webhook URL or secret the merchant cannot use fails the construction", () => {
    for (const [url, s, why] of [
      ["ftp://127.0.0.1/hooks", secret, /http: or https:/],
      ["http://127.0.0.1:6000/hooks", secret, /port 6000/],
      ["http://127.0.0.1:8080/hooks", "short", /at least 32/],
    ] as const)
      expect(() => setup({ url, secret: s })).toThrow(why);
  });
});
