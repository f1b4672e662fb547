/**
 * Recovery of lifecycle requests: a merchant process stops after committing its request and
 * before any answer (its gateway call never returns), and a new Merchant over the same store
 * finishes the request itself, against the same test gateway, with no back-office call.
 */
import { Writable } from "node:stream";
import { nodeProvider, schema } from "@setlab/protocol";
import { createLogger } from "@setlab/runtime";
import { closedAtEnd } from "@setlab/runtime/testing";
import Database from "better-sqlite3";
import { buildMerchantServer } from "../server";
import { SqliteRepository } from "../store/sqliteRepository";
import type { GatewayFunction } from "../testing/gatewayFunction";
import { useMerchantTestKit } from "../testing/merchantTestKit";
import { testMerchantConfig } from "../testing/testMerchantConfig";
import type { GatewayClient } from "./gatewayClient";
import { Merchant } from "./merchant";

const p = nodeProvider();
const kit = useMerchantTestKit(p, "lifecycle-recovery");

const purchAmt = { currency: 392, amount: 12000, amtExp10: 0 };
const jpy = (amount: number) => ({ currency: 392, amount, amtExp10: 0 });

/** The test gateway, reached through a link that can go silent: the process "dies" mid-call. */
function link(gateway: GatewayFunction) {
  const sent: string[] = [];
  let silent: (() => void) | undefined;
  const client: GatewayClient = {
    send(id, message) {
      sent.push(schema.decodeMessage(message).message.type);
      if (silent) {
        silent();
        return new Promise(() => {});
      }
      return gateway.send(id, message);
    },
  };
  return {
    client,
    sent,
    /** The next request is committed and sent, and no answer ever comes back to this process. */
    dieOnNextSend(): Promise<void> {
      return new Promise((resolve) => {
        silent = () => {
          silent = undefined;
          resolve();
        };
      });
    },
  };
}

/** An authorized order (a split shipment when `firstShipmentAmount`), captured unless told not to. */
async function setUp(options: { capture?: boolean; firstShipmentAmount?: number; orders?: number } = {}) {
  const m = kit.merchant();
  const ids: number[] = [];
  for (let i = 0; i < (options.orders ?? 1); i++) {
    const description = `recovery order ${i}`;
    const order = await m.merchant.createOrder({
      description,
      ...purchAmt,
      ...(options.firstShipmentAmount ? { firstShipmentAmount: options.firstShipmentAmount } : {}),
    });
    await kit.buy(m, order.lidM, { description, purchAmt });
    if (options.capture) await m.merchant.capture(order.id);
    ids.push(order.id);
  }
  await m.repo.close();
  const wire = link(m.gateway);
  const config = testMerchantConfig(kit.pki);
  /** A merchant process over the store (a new one after each "crash"). */
  // Recovery's backoff reads this clock: a test moves it to make the next attempt due.
  const clock = { now: 0 };
  const start = () =>
    new Merchant({
      p,
      repo: closedAtEnd(new SqliteRepository(m.file)),
      config,
      gateway: wire.client,
      waitingRetry: { now: () => clock.now },
    });
  return { gateway: m.gateway, wire, ids, id: ids[0], start, file: m.file, clock };
}

/** The first process commits `call`'s request and dies before the answer; a second one starts. */
async function crashDuring(
  s: Awaited<ReturnType<typeof setUp>>,
  call: (merchant: Merchant) => Promise<unknown>,
): Promise<Merchant> {
  const first = s.start();
  const died = s.wire.dieOnNextSend();
  void call(first);
  await died;
  return s.start();
}

describe("merchant: lifecycle requests left waiting are finished after a restart", () => {
  test("a CapReq: sent again with the same bytes, captured once, recorded with its event", async () => {
    const s = await setUp();
    const merchant = await crashDuring(s, (m) => m.capture(s.id, { idempotencyKey: "cap-1" }));
    const waiting = (await merchant.order(s.id))!.authorization!.capture!;
    expect(waiting.capCode).toBeUndefined();
    const reports = await merchant.finishWaitingRequests();
    expect(reports).toEqual([
      { request: "CapReq", rrpid: waiting.capRRPID, orderId: s.id, finished: true, state: "captured" },
    ]);
    expect(s.gateway.captured.size).toBe(1);
    expect((await merchant.events(s.id)).map((e) => e.type)).toContain("captured");
    const capReqs = (await merchant.messages(s.id)).filter((m) => m.type === "captureRequest");
    expect(capReqs).toHaveLength(1);
    // Nothing waits any more: the next run sends nothing; the back office's repeat sends nothing.
    const sends = s.wire.sent.length;
    expect(await merchant.finishWaitingRequests()).toEqual([]);
    expect((await merchant.capture(s.id, { idempotencyKey: "cap-1" })).state).toBe("captured");
    expect(s.wire.sent.length).toBe(sends);
  });

  test("an AuthRevReq: the reduction recorded once, the order's AuthAmt lowered", async () => {
    const s = await setUp();
    const merchant = await crashDuring(s, (m) => m.reverseAuthorization(s.id, { amount: jpy(5000) }));
    const [report] = await merchant.finishWaitingRequests();
    expect(report).toMatchObject({ request: "AuthRevReq", finished: true, state: "authorized" });
    const order = (await merchant.order(s.id))!;
    expect(order.authorization?.authAmt).toEqual(jpy(5000));
    expect(order.authorization?.reversal?.authRevCode).toBe("approved");
    expect((await merchant.events(s.id)).filter((e) => e.type === "reversed")).toHaveLength(1);
  });

  test.each([
    ["CredReq", "partiallyRefunded", (m: Merchant, id: number) => m.refund(id, { amount: jpy(2000) })],
    [
      "CapRevReq",
      "captureReversed",
      (m: Merchant, id: number) => m.reverseCapture(id, { idempotencyKey: "rev" }),
    ],
  ] as const)("a %s: booked once at the gateway, the order %s", async (request, state, call) => {
    const s = await setUp({ capture: true });
    const merchant = await crashDuring(s, (m) => call(m, s.id));
    const [report] = await merchant.finishWaitingRequests();
    expect(report).toMatchObject({ request, orderId: s.id, finished: true, state });
    expect(s.gateway.credits.booked).toHaveLength(1);
    expect((await merchant.order(s.id))?.state).toBe(state);
  });

  test("a CredRevReq: the credit taken back once", async () => {
    const s = await setUp({ capture: true });
    const before = s.start();
    await before.refund(s.id, { amount: jpy(2000) });
    await before.close();
    const merchant = await crashDuring(s, (m) => m.reverseRefund(s.id));
    const [report] = await merchant.finishWaitingRequests();
    expect(report).toMatchObject({ request: "CredRevReq", finished: true, state: "refundReversed" });
    expect(s.gateway.credits.booked.map((b) => b.kind)).toEqual(["credit", "creditReversal"]);
  });

  test("a later AuthReq of a split shipment: authorized once, in the order's history", async () => {
    const s = await setUp({ firstShipmentAmount: 4000 });
    const merchant = await crashDuring(s, (m) => m.authorizeSubsequent(s.id, { amount: jpy(5000) }));
    const [report] = await merchant.finishWaitingRequests();
    expect(report).toMatchObject({ request: "AuthReq", finished: true, state: "authorized" });
    const part = (await merchant.order(s.id))?.authorization?.subsequent;
    expect(part).toHaveLength(1);
    expect(part?.[0]).toMatchObject({ part: 2, authCode: "approved", authAmt: jpy(5000) });
    expect(s.wire.sent.filter((t) => t === "authorizationRequest")).toHaveLength(2);
  });

  test("a later authorization's CapReq and CredReq (a split shipment's second part): each finished for that authorization", async () => {
    const s = await setUp({ firstShipmentAmount: 4000 });
    const before = s.start();
    await before.authorizeSubsequent(s.id, { amount: jpy(5000) });
    await before.close();
    let merchant = await crashDuring(s, (m) => m.capture(s.id, { authorization: 2 }));
    const [captured] = await merchant.finishWaitingRequests();
    expect(captured).toMatchObject({ request: "CapReq", finished: true, state: "authorized" });
    let second = (await merchant.order(s.id))?.authorization?.subsequent?.[0];
    expect(second?.capture).toMatchObject({ capCode: "success", capAmt: jpy(5000) });
    expect((await merchant.order(s.id))?.authorization?.capture).toBeUndefined();
    await merchant.close();
    merchant = await crashDuring(s, (m) => m.refund(s.id, { authorization: 2, amount: jpy(1000) }));
    const [credited] = await merchant.finishWaitingRequests();
    expect(credited).toMatchObject({ request: "CredReq", finished: true });
    second = (await merchant.order(s.id))?.authorization?.subsequent?.[0];
    expect(second?.capRevOrCreds).toMatchObject([{ kind: "credit", code: "success", actualAmt: jpy(1000) }]);
    expect(s.gateway.credits.booked).toHaveLength(1);
    expect(await merchant.finishWaitingRequests()).toEqual([]);
  });

  test("a captureMany's CapReq: every order captured by the one request, sent again once", async () => {
    const s = await setUp({ orders: 2 });
    const merchant = await crashDuring(s, (m) => m.captureMany([s.ids[1], s.ids[0]]));
    const reports = await merchant.finishWaitingRequests();
    expect(reports.map((r) => [r.orderId, r.request, r.finished, r.state])).toEqual([
      [s.ids[0], "CapReq", true, "captured"],
      [s.ids[1], "CapReq", true, "captured"],
    ]);
    expect(s.wire.sent.filter((t) => t === "captureRequest")).toHaveLength(2);
    expect(s.gateway.batches[0].items).toHaveLength(2);
  });

  test("a kept request without its call's input is reported and not sent: the back office repeats it", async () => {
    const s = await setUp({ orders: 2 });
    const merchant = await crashDuring(s, (m) => m.captureMany(s.ids));
    const raw = new Database(s.file);
    raw.exec("UPDATE keyed_gateway_requests SET input = NULL");
    raw.close();
    const sends = s.wire.sent.length;
    const reports = await merchant.finishWaitingRequests();
    expect(reports.map((r) => [r.orderId, r.finished])).toEqual([
      [s.ids[0], false],
      [s.ids[1], false],
    ]);
    expect(reports[0].error).toMatch(/kept without its call: repeat that captureMany/);
    expect(s.wire.sent.length).toBe(sends);
    // The back office's repeat of the call still sends the same CapReq and finishes both.
    expect((await merchant.captureMany(s.ids)).orders.map((o) => o.state)).toEqual(["captured", "captured"]);
    expect(await merchant.finishWaitingRequests()).toEqual([]);
  });

  test("a batch close kept under its key: closed once; answered, it is not sent again", async () => {
    const s = await setUp({ capture: true });
    const merchant = await crashDuring(s, (m) => m.closeBatch({ idempotencyKey: "close-1" }));
    expect(s.gateway.batches[0].closed).toBe(false);
    const reports = await merchant.finishWaitingRequests();
    expect(reports).toEqual([{ request: "BatchAdminReq", rrpid: expect.any(String), finished: true }]);
    expect(s.gateway.batches.map((b) => b.closed)).toEqual([true]);
    expect(await merchant.finishWaitingRequests()).toEqual([]);
  });

  test("a gateway that keeps failing: the request stays waiting, reported, and is finished on a later run", async () => {
    const s = await setUp({ capture: true });
    const merchant = await crashDuring(s, (m) => m.refund(s.id, { amount: jpy(3000) }));
    s.gateway.mode = "down";
    for (let run = 1; run <= 2; run++) {
      const [report] = await merchant.finishWaitingRequests();
      expect(report).toMatchObject({ request: "CredReq", finished: false, state: "captured", attempts: run });
      expect(report.error).toMatch(/unreachable/);
      // Asked for again only once its backoff (5 s, then 10 s) is over.
      expect(await merchant.finishWaitingRequests()).toEqual([]);
      s.clock.now += 5000 * run - 1;
      expect(await merchant.finishWaitingRequests()).toEqual([]);
      s.clock.now += 1;
    }
    expect(s.gateway.credits.booked).toHaveLength(0);
    s.gateway.mode = "approve";
    const [report] = await merchant.finishWaitingRequests();
    expect(report).toMatchObject({ finished: true, state: "partiallyRefunded" });
    expect(s.gateway.credits.booked).toHaveLength(1);
    expect(s.wire.sent.filter((t) => t === "creditRequest")).toHaveLength(4);
  });

  test("the back office repeating its call while recovery runs: one request at a time, the credit booked once", async () => {
    const s = await setUp({ capture: true });
    const merchant = await crashDuring(s, (m) => m.refund(s.id, { amount: jpy(3000), idempotencyKey: "r1" }));
    const sentBefore = s.wire.sent.length;
    const [reports, repeated, joined] = await Promise.all([
      merchant.finishWaitingRequests(),
      merchant.refund(s.id, { amount: jpy(3000), idempotencyKey: "r1" }),
      merchant.finishWaitingRequests(),
    ]);
    expect(reports).toEqual(joined);
    expect(reports[0]).toMatchObject({ request: "CredReq", finished: true });
    expect(repeated.state).toBe("partiallyRefunded");
    expect(repeated.authorization?.capRevOrCreds).toHaveLength(1);
    expect(s.wire.sent.length - sentBefore).toBe(1);
    expect(s.gateway.credits.booked).toHaveLength(1);
    expect((await merchant.events(s.id)).filter((e) => e.type === "refunded")).toHaveLength(1);
  });

  test("a request the order no longer allows is reported, not thrown, and the others still finish", async () => {
    const s = await setUp({ orders: 2 });
    const first = s.start();
    // An AuthRevReq left waiting, then the order captured by another process.
    const died = s.wire.dieOnNextSend();
    void first.reverseAuthorization(s.ids[0]);
    await died;
    const merchant = s.start();
    await merchant.capture(s.ids[0]);
    const third = await crashDuring(s, (m) => m.capture(s.ids[1]));
    const reports = await third.finishWaitingRequests();
    expect(reports.map((r) => [r.orderId, r.request, r.finished])).toEqual([
      [s.ids[0], "AuthRevReq", false],
      [s.ids[1], "CapReq", true],
    ]);
    expect(reports[0].error).toMatch(/captured: only an uncaptured authorization can be reversed/);
  });

  test.each([true, false])(
    "the server when ready, resumeOnReady %s: the waiting credit finished and logged by ids only, or left alone",
    async (resume) => {
      const s = await setUp({ capture: true });
      const merchant = await crashDuring(s, (m) => m.refund(s.id, { amount: jpy(1000) }));
      const lines: Record<string, unknown>[] = [];
      let logged: (line: Record<string, unknown>) => void = () => {};
      const finished = new Promise<Record<string, unknown>>((resolve) => {
        logged = resolve;
      });
      const destination = new Writable({
        write(chunk, _enc, done) {
          for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l));
          const line = lines.find((l) => l.event === "lifecycleRequestFinished");
          if (line) logged(line);
          done();
        },
      });
      const logger = createLogger("merchant", { level: "info", destination });
      const app = buildMerchantServer({ merchant, logger, settleEveryMs: false, resumeOnReady: resume });
      const sent = s.wire.sent.length;
      await app.ready();
      if (resume) {
        const line = await finished;
        expect(line).toMatchObject({
          orderId: s.id,
          request: "CredReq",
          state: "partiallyRefunded",
          finished: true,
        });
        expect(s.wire.sent.length).toBe(sent + 1);
        expect(s.gateway.credits.booked).toHaveLength(1);
        await app.close();
        expect(JSON.stringify(lines)).not.toMatch(/411111|4111 |privateKey|BEGIN/);
      } else {
        await app.close();
        expect(s.gateway.credits.booked).toHaveLength(0);
        expect(lines.filter((l) => String(l.event).startsWith("lifecycleRequest"))).toEqual([]);
      }
    },
  );
});
