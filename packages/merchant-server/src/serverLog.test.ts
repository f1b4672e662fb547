/**
 * What the merchant's HTTP shell logs at the default level: one line per SET message (run id, XID,
 * message type, outcome, duration), a refusal with its ErrorCode, a failure at error level; no
 * per-request chatter. The merchant core is a stub here: only the shell's logging is under test.
 */
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { adminHeaders, createLogger, defaultServerLimits, RUN_ID_HEADER, SET_PAYMENT } from "@setlab/runtime";
import type { SetOutcome } from "./core/context";
import type { Merchant } from "./core/merchant";
import { buildMerchantAdminServer, buildMerchantServer } from "./server";

const PAN = "4111110000000005";
const xid = "3877d639800cb9b3305c77663437aad2bc26b8bb";

const token = "t".repeat(43);

/** The payment app, or with `admin` the back-office app (its requests carry the token). */
function shell(handleSet: () => Promise<SetOutcome>, level = "info", admin = false) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      // Fastify's own "Server listening at" line, once per start, is not a request's line.
      for (const l of String(chunk).split("\n"))
        if (l && !l.includes("Server listening at")) lines.push(JSON.parse(l));
      done();
    },
  });
  const merchant = {
    handleSet,
    brands: () => ["Visa"],
    createOrderFromJson: async () => ({ id: 7, lidM: "order-7", state: "created" }),
  } as unknown as Merchant;
  const logger = createLogger("merchant", { level, destination });
  const app = admin
    ? buildMerchantAdminServer({ merchant, logger, token })
    : buildMerchantServer({ merchant, logger, resumeOnReady: false, settleEveryMs: false });
  const send = async (
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: BodyInit,
  ) => {
    const base = app.server.listening ? "" : await app.listen({ port: 0, host: "127.0.0.1" });
    const url = base || `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const r = await fetch(`${url}${path}`, {
      method,
      headers: admin ? { ...headers, ...adminHeaders(token) } : headers,
      ...(body ? { body } : {}),
    });
    return { statusCode: r.status, body: await r.text() };
  };
  const post = (path = "/set", type = SET_PAYMENT) =>
    send("POST", path, { "content-type": type, [RUN_ID_HEADER]: "run-1" }, new Uint8Array([0x30, 0x00]));
  return { app, lines, post, send };
}

const answered: SetOutcome = {
  response: new Uint8Array([1]),
  requestType: "purchaseRequest",
  orderId: 7,
  xid,
  state: "authorized",
};

describe("merchant log lines", () => {
  it("one info line per SET message answered, with run id, XID, type, state and duration", async () => {
    const { app, lines, post } = shell(async () => answered);
    expect((await post()).statusCode).toBe(200);
    await app.close();
    expect(lines.map((l) => l.msg)).toEqual(["SET request answered"]);
    expect(lines[0]).toMatchObject({
      level: 30,
      runId: "run-1",
      xid,
      requestType: "purchaseRequest",
      orderId: 7,
      state: "authorized",
    });
    expect(typeof lines[0]?.ms).toBe("number");
  });

  it("a refusal is a warn line with its SET ErrorCode", async () => {
    const { app, lines, post } = shell(async () => ({
      response: new Uint8Array([1]),
      requestType: "purchaseRequest",
      error: { code: "signatureFailure", message: "bad signature" },
    }));
    await post();
    await app.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: "SET request refused", errorCode: "signatureFailure" });
  });

  it("order creation and other routes write nothing at info, and the order line at debug", async () => {
    const quiet = shell(async () => answered, "info", true);
    const json = { "content-type": "application/json" };
    expect((await quiet.send("POST", "/orders", json, "{}")).statusCode).toBe(201);
    await quiet.app.close();
    expect(quiet.lines).toEqual([]);
    const payment = shell(async () => answered);
    expect((await payment.send("GET", "/health")).statusCode).toBe(200);
    await payment.app.close();
    expect(payment.lines).toEqual([]);
    const chatty = shell(async () => answered, "debug", true);
    await chatty.send("POST", "/orders", json, "{}");
    await chatty.app.close();
    expect(chatty.lines.map((l) => l.msg)).toEqual(["order created"]);
  });

  it("a failure escaping a route is an error line, masked, and still answered 500", async () => {
    const { app, lines, post } = shell(async () => {
      throw new Error(`store broke on ${PAN}`);
    });
    const r = await post();
    expect(r.statusCode).toBe(500);
    expect(JSON.parse(r.body)).toMatchObject({ statusCode: 500 });
    await app.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: "request failed",
      runId: "run-1",
      req: { method: "POST", url: "/set" },
      err: { type: "Error", message: "store broke on 411111******0005" },
    });
    expect(JSON.stringify(lines)).not.toContain(PAN);
  });

  it("a transport refusal (415) is answered as before and logs nothing at info", async () => {
    const { app, lines, post } = shell(async () => answered);
    const r = await post("/set", "text/plain");
    expect(r.statusCode).toBe(415);
    await app.close();
    expect(lines).toEqual([]);
  });
});

describe("the stand-alone merchant server's listener", () => {
  it("carries the runtime's time and connection bounds", async () => {
    const { app } = shell(async () => answered);
    await app.ready();
    expect(app.server.maxConnections).toBe(defaultServerLimits.maxConnections);
    expect(app.server.requestTimeout).toBe(defaultServerLimits.requestTimeoutMs);
    expect(app.server.headersTimeout).toBe(defaultServerLimits.headersTimeoutMs);
    await app.close();
  });
});
