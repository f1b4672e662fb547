/**
 * Crash safety across real processes (docs/faults.md, "Crash tests"): a party is killed with
 * SIGKILL at a point a fault switch holds it at, and restarted on the same port from lab.json.
 * Whatever the timing, nothing is lost and nothing is done twice.
 *
 *   gateway, AuthReq committed, answer not sent  -> the merchant's retry gets the stored AuthRes
 *   gateway, AuthReq received, nothing processed -> the merchant's retry is decided once
 *   merchant, AuthRes arrived, nothing recorded  -> startup recovery re-sends the stored AuthReq;
 *                                                  the PC's re-sent PReq gets the stored PRes
 *   CapReq, AuthRevReq, CredReq, CredRevReq, CapRevReq and a BatchAdminReq close, each with the
 *   merchant killed before sending its committed request or after the answer arrived unrecorded,
 *   and with the gateway killed before deciding or after its write, answer not sent
 *                                                -> asked again, the same request is decided once:
 *                                                  booked once, held or posted once, a batch closed
 *                                                  once with its totals, the next capture in the
 *                                                  next batch
 *   merchant killed before sending a committed      -> the restarted merchant sends it by itself
 *   CredReq, the call never repeated                   (startup recovery): booked once
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { schema } from "@setlab/protocol";
import { adminHeaders, postSet } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import { type CapturedOrder, captureOrder } from "./commands/captureOrder";
import { down } from "./commands/down";
import { setFaults } from "./commands/fault";
import { postOrderOperation } from "./commands/orderAdminRoute";
import { type PurchaseResult, purchase } from "./commands/purchase";
import { killParty, restartParty } from "./commands/restart";
import { up } from "./commands/up";
import { purchAmtOf } from "./currency";
import { httpJson } from "./httpJson";
import { adminOf, isAlive, type LabState, readState, writeState } from "./labState";

jest.setTimeout(120_000);

let home: string;
let state: LabState;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-crash-"));
  seedLabPki(path.join(home, "pki"));
  // The merchant's attempts to reach the gateway 2 s apart (5 s by default): the restarted gateway
  // is back well within the second, and a retry costs the test 2 s instead of 5.
  state = await up({ home, gatewayTimeoutMs: 2000, settleEveryMs: 1000 });
  // Until `up` pairs the mediator with the phone itself (lab.json pairingCodeFile), pair them here:
  // the phone restarted with a fixed code, the mediator given it through SETLAB_PAIRING_CODE.
  if (!state.pairingCodeFile) {
    const code = "246810";
    const phone = state.parties.phone;
    writeState(home, {
      ...state,
      parties: {
        ...state.parties,
        phone: { ...phone, argv: [...(phone.argv ?? []), "--pairing-code", code] },
      },
    });
    await killParty(home, "phone");
    state = await restartParty(home, "phone");
    process.env.SETLAB_PAIRING_CODE = code;
  }
}, 120_000);

afterAll(async () => {
  if (state) await down(home).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
});

const card = "visa-approve";
const amount = 1500;
const url = (party: "gateway" | "merchant") => readState(home).parties[party].url.replace(/\/$/, "");
/** GET JSON from the party's admin listener, with the lab's token. */
const adminJson = <T>(party: "gateway" | "merchant", route: string) => {
  const admin = adminOf(readState(home), party);
  return httpJson<T>(`${admin.url}${route}`, { headers: adminHeaders(admin.token) });
};

type LogLine = Record<string, unknown>;

/** Wait until a pino line written after `from` (bytes) matches. */
async function waitForLog(file: string, from: number, match: (l: LogLine) => boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const text = fs.readFileSync(file).subarray(from).toString("utf8");
    for (const raw of text.split("\n")) {
      if (!raw.startsWith("{")) continue;
      try {
        const line = JSON.parse(raw) as LogLine;
        if (match(line)) return line;
      } catch {
        // a line still being written
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no matching line in ${file}`);
}

const logLines = (file: string, from: number): LogLine[] =>
  fs
    .readFileSync(file)
    .subarray(from)
    .toString("utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });

const sizeOf = (file: string) => fs.statSync(file).size;

async function held(): Promise<number> {
  return (await account()).held;
}

function account() {
  return adminJson<{ held: number; posted: number }>("gateway", `/admin/accounts/${card}`);
}

async function authorizations(xid: string) {
  return adminJson<{ xid: string; authCode: string; held: number; authRRPID: string }[]>(
    "gateway",
    `/admin/authorizations?xid=${xid}`,
  );
}

interface OrderView {
  id: number;
  xid: string;
  state: string;
  history: { state: string; detail: string }[];
  authorization: { authRRPID: string; authCode?: string } | null;
}

async function orderUntilFinished(orderId: number): Promise<OrderView> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const o = await adminJson<OrderView>("merchant", `/orders/${orderId}`).catch(() => undefined);
    if (o && o.state !== "authorizing" && o.state !== "purchaseRequested") return o;
    if (Date.now() > deadline) throw new Error(`order ${orderId} is still ${o?.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The merchant's order id for an XID, from its log (the PInitReq answer names both). */
async function orderIdOf(xid: string): Promise<number> {
  const line = await waitForLog(
    state.parties.merchant.log,
    0,
    (l) => l.xid === xid && typeof l.orderId === "number",
  );
  return line.orderId as number;
}

/** One purchase with the gateway killed at `stage` and restarted; the merchant's retry finishes it. */
async function gatewayCrash(stage: "committed" | "received") {
  const gatewayLog = state.parties.gateway.log;
  const from = sizeOf(gatewayLog);
  const before = await held();
  await setFaults(home, "gateway", { delayMs: 20_000, stage });
  const buying = purchase({ home, card, purchAmt: purchAmtOf(String(amount), "JPY") });
  const held1 = await waitForLog(
    gatewayLog,
    from,
    (l) => l.event === "fault" && l.fault === "delay" && l.stage === stage,
  );
  const xid = held1.xid as string;
  expect(xid).toMatch(/^[0-9a-f]{40}$/);
  const killed = await killParty(home, "gateway");
  expect(isAlive(killed)).toBe(false);
  const restarted = await restartParty(home, "gateway");
  expect(restarted.parties.gateway.pid).not.toBe(killed);
  expect(restarted.parties.gateway.url).toBe(state.parties.gateway.url);
  // A fresh process has no fault plan.
  expect(await adminJson("gateway", "/admin/faults")).toEqual({});

  const r: PurchaseResult = await buying;
  const order = await orderUntilFinished(Number(r.orderId));
  const auths = await authorizations(xid);
  return { r, order, auths, xid, before, after: await held(), from, gatewayLog };
}

describe("kill -9 of the gateway between AuthReq and AuthRes", () => {
  test("AuthReq committed, answer not sent: the retry gets the stored AuthRes; one authorization, one hold", async () => {
    const { r, order, auths, xid, before, after, from, gatewayLog } = await gatewayCrash("committed");
    expect(auths).toHaveLength(1);
    expect(auths[0]).toMatchObject({ xid, authCode: "approved", held: amount });
    expect(after - before).toBe(amount);
    expect(order.state).toBe("authorized");
    expect(order.authorization?.authRRPID).toBe(auths[0].authRRPID);
    expect(order.history.filter((h) => h.state === "authorizing")).toHaveLength(1);
    expect(r.mediator.outcome).toBe("approved");
    expect(r.mediator.xid).toBe(xid);
    // The restarted gateway answered the merchant's repeat from its store, decided nothing anew.
    const answered = logLines(gatewayLog, from).filter((l) => l.event === "authReq" && l.xid === xid);
    expect(answered.map((l) => l.kind)).toEqual(["authRes", "replay"]);
  });

  test("AuthReq received, nothing processed: the retry is decided once; one authorization, one hold", async () => {
    const { r, order, auths, xid, before, after, from, gatewayLog } = await gatewayCrash("received");
    expect(auths).toHaveLength(1);
    expect(auths[0]).toMatchObject({ xid, authCode: "approved", held: amount });
    expect(after - before).toBe(amount);
    expect(order.state).toBe("authorized");
    expect(r.mediator.outcome).toBe("approved");
    const answered = logLines(gatewayLog, from).filter((l) => l.event === "authReq" && l.xid === xid);
    expect(answered.map((l) => l.kind)).toEqual(["authRes"]);
  });
});

describe("kill -9 of the merchant between AuthRes and PRes", () => {
  test("startup recovery re-sends the stored AuthReq, the gateway answers its stored AuthRes; the re-sent PReq gets the PRes", async () => {
    const merchantLog = state.parties.merchant.log;
    const gatewayLog = state.parties.gateway.log;
    const mFrom = sizeOf(merchantLog);
    const gFrom = sizeOf(gatewayLog);
    const before = await held();
    await setFaults(home, "merchant", { pauseAfterAuthResMs: 20_000 });
    const buying = purchase({ home, card, purchAmt: purchAmtOf(String(amount), "JPY") }).catch(
      (e: Error) => e,
    );
    const paused = await waitForLog(
      merchantLog,
      mFrom,
      (l) => l.event === "fault" && l.fault === "pauseAfterAuthRes",
    );
    const xid = paused.xid as string;
    expect(xid).toMatch(/^[0-9a-f]{40}$/);
    const orderId = await orderIdOf(xid);
    // Killed with the AuthRes in memory only: the order is still authorizing on disk.
    await killParty(home, "merchant");
    await buying; // the buyer's connection broke; the mediator gives up
    const restarted = await restartParty(home, "merchant");
    expect(restarted.parties.merchant.url).toBe(state.parties.merchant.url);

    const order = await orderUntilFinished(orderId);
    expect(order.state).toBe("authorized");
    expect(order.history.map((h) => h.state)).toEqual([
      "created",
      "initiated",
      "purchaseRequested",
      "authorizing",
      "authorized",
    ]);
    const resumed = await waitForLog(merchantLog, mFrom, (l) => l.event === "authorizationResumed");
    expect(resumed).toMatchObject({ orderId, xid, state: "authorized" });

    const auths = await authorizations(xid);
    expect(auths).toHaveLength(1);
    expect(auths[0]).toMatchObject({ authCode: "approved", held: amount });
    expect((await held()) - before).toBe(amount);
    const answered = logLines(gatewayLog, gFrom).filter((l) => l.event === "authReq" && l.xid === xid);
    expect(answered.map((l) => l.kind)).toEqual(["authRes", "replay"]);

    // The PC re-sends the same PReq bytes: the stored PRes, and no further AuthReq.
    const messages = await adminJson<{ from: string; type: string; der: string }[]>(
      "merchant",
      `/orders/${orderId}/messages`,
    );
    const pReq = messages.find((m) => m.from === "cardholder" && m.type === "purchaseRequest");
    const stored = messages.filter((m) => m.type === "purchaseResponse");
    expect(messages.filter((m) => m.type === "authorizationRequest")).toHaveLength(1);
    expect(stored).toHaveLength(1);
    const answer = await postSet(`${url("merchant")}/set`, new Uint8Array(Buffer.from(pReq!.der, "base64")));
    expect(schema.decodeMessage(answer).message.type).toBe("purchaseResponse");
    expect(Buffer.from(answer).equals(Buffer.from(stored[0].der, "base64"))).toBe(true);
    expect(await authorizations(xid)).toHaveLength(1);

    // Negative: the same PReq with one byte changed is refused with a SET Error, nothing new recorded.
    const tampered = Buffer.from(pReq!.der, "base64");
    tampered[tampered.length - 5] ^= 0x01;
    const refused = await postSet(`${url("merchant")}/set`, new Uint8Array(tampered));
    expect(schema.decodeMessage(refused).message.type).toBe("error");
    expect(await authorizations(xid)).toHaveLength(1);
    expect((await orderUntilFinished(orderId)).state).toBe("authorized");
  });
});

/** Capture until the order is captured: a capture that got no answer is asked again (same bytes). */
async function captureSettled(orderId: number): Promise<CapturedOrder> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const o = await adminJson<CapturedOrder>("merchant", `/orders/${orderId}`);
    if (o.state === "captured") return o;
    if (Date.now() > deadline) throw new Error(`order ${orderId} is still ${o.state}`);
    const again = await captureOrder(home, String(orderId)).catch((e: Error) => e);
    if (!(again instanceof Error) && again.state === "captured") return again;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Where a party is killed during a back-office request to the gateway. The merchant: after it
 * committed the request with the order (or under its idempotency key) and before it sent it
 * (`pauseBeforeSendMs`), or after the gateway's answer arrived and before it recorded it
 * (`pauseAfterAuthResMs`, which holds every answer). The gateway: with the request read and
 * nothing decided (`received`), or after its one write and before the answer left (`committed`).
 */
type KillPoint = "merchant before send" | "merchant after answer" | "gateway received" | "gateway committed";
const killPoints: readonly KillPoint[] = [
  "merchant before send",
  "merchant after answer",
  "gateway received",
  "gateway committed",
];
/** At these points the gateway has booked the request when the party dies. */
const bookedAtKill = (point: KillPoint) => point === "merchant after answer" || point === "gateway committed";

/**
 * Start `request` with the fault of `point` in force, wait until the party is held at it, run
 * `atKill` (what is on disk at that moment), kill the party with SIGKILL and restart it. The
 * request's own outcome (the merchant's client may have reached the restarted gateway) is returned.
 */
async function killDuring<T>(
  point: KillPoint,
  requestType: string,
  request: () => Promise<T>,
  atKill: () => Promise<void>,
): Promise<T | Error> {
  const party = point.startsWith("merchant") ? "merchant" : "gateway";
  const log = readState(home).parties[party].log;
  const from = sizeOf(log);
  if (point === "merchant before send") await setFaults(home, "merchant", { pauseBeforeSendMs: 60_000 });
  else if (point === "merchant after answer")
    await setFaults(home, "merchant", { pauseAfterAuthResMs: 60_000 });
  else
    await setFaults(home, "gateway", {
      delayMs: 20_000,
      stage: point === "gateway received" ? "received" : "committed",
    });
  const running = request().catch((e: Error) => e);
  const fault =
    point === "merchant before send"
      ? "pauseBeforeSend"
      : point === "merchant after answer"
        ? "pauseAfterAuthRes"
        : "delay";
  const held = await waitForLog(log, from, (l) => l.event === "fault" && l.fault === fault);
  if (party === "merchant") expect(held.request).toBe(requestType);
  await atKill();
  const killed = await killParty(home, party);
  expect(isAlive(killed)).toBe(false);
  await restartParty(home, party);
  // A fresh process has no fault plan.
  expect(await adminJson(party, "/admin/faults")).toEqual({});
  return running;
}

/** The gateway's log lines about one request (its RRPID), by their kind: answer, replay, error. */
const gatewayAnswers = (event: string, rrpid: string, from: number) =>
  logLines(readState(home).parties.gateway.log, from)
    .filter((l) => l.event === event && l.rrpid === rrpid)
    .map((l) => String(l.kind));

/** Decided once: one decision line, every other line a replay of the stored answer. */
function expectDecidedOnce(kinds: string[], decided: string, point: KillPoint) {
  expect(kinds.filter((k) => k === decided)).toHaveLength(1);
  expect(kinds.every((k) => k === decided || k === "replay")).toBe(true);
  // Booked before the kill, the request came back after it and got the stored answer.
  if (bookedAtKill(point)) expect(kinds).toContain("replay");
  else expect(kinds[0]).toBe(decided);
}

describe.each(killPoints)("kill -9 of the %s during a capture", (point) => {
  test("the capture asked again sends the same CapReq, captured once; the hold becomes one posting", async () => {
    const r = await purchase({ home, card, purchAmt: purchAmtOf(String(amount), "JPY") });
    expect(r.mediator.outcome).toBe("approved");
    const orderId = Number(r.orderId);
    const from = sizeOf(readState(home).parties.gateway.log);
    const before = await account();
    await killDuring(
      point,
      "captureRequest",
      () => captureOrder(home, String(orderId)),
      async () => {
        // The CapReq is on the merchant's disk, unanswered; the gateway posted it exactly when it booked it.
        const o = await adminJson<CapturedOrder>("merchant", `/orders/${orderId}`);
        expect(o.authorization?.capture).toBeDefined();
        expect(o.authorization?.capture?.capCode).toBeUndefined();
        expect((await account()).posted - before.posted).toBe(bookedAtKill(point) ? amount : 0);
      },
    );

    // Asked again without a key: the capture waiting for its answer is the one sent.
    const order = await captureSettled(orderId);
    expect(order.authorization?.capture).toMatchObject({ capCode: "success" });
    const after = await account();
    expect(after.posted - before.posted).toBe(amount);
    expect(before.held - after.held).toBe(amount);
    const capReqs = logLines(readState(home).parties.gateway.log, from).filter((l) => l.event === "capReq");
    const capRRPIDs = new Set(capReqs.map((l) => l.capRRPID));
    expect(capRRPIDs.size).toBe(1);
    expectDecidedOnce(
      capReqs.map((l) => String(l.kind)),
      "capRes",
      point,
    );
    const messages = await adminJson<{ type: string }[]>("merchant", `/orders/${orderId}/messages`);
    expect(messages.filter((m) => m.type === "captureRequest")).toHaveLength(1);

    // Negative: a further capture is refused by the merchant and posts nothing.
    await expect(captureOrder(home, String(orderId))).rejects.toThrow(/409/);
    expect((await account()).posted).toBe(after.posted);
  });
});

describe.each(killPoints)("kill -9 of the %s during an authorization reversal", (point) => {
  test("the reduction asked again with its key sends the same AuthRevReq, decided once; the hold shrinks once", async () => {
    const r = await purchase({ home, card, purchAmt: purchAmtOf(String(amount), "JPY") });
    expect(r.mediator.outcome).toBe("approved");
    const orderId = Number(r.orderId);
    const xid = r.mediator.xid!;
    expect(xid).toMatch(/^[0-9a-f]{40}$/);
    const key = `crash-authrev-${point.replace(/ /g, "-")}`;
    interface ReversedOrder {
      state: string;
      authorization: { reversal?: { authRevRRPID: string; authRevCode?: string } } | null;
    }
    const reduce = () =>
      postOrderOperation<ReversedOrder>(
        adminOf(readState(home), "merchant"),
        String(orderId),
        "reverse-authorization",
        { amount: 500, amtExp10: 0 },
        { "idempotency-key": key },
      );
    const from = sizeOf(readState(home).parties.gateway.log);
    const before = await account();
    await killDuring(point, "authReversalRequest", reduce, async () => {
      const o = await adminJson<ReversedOrder>("merchant", `/orders/${orderId}`);
      expect(o.authorization?.reversal?.authRevRRPID).toMatch(/^[0-9a-f]{40}$/);
      expect(o.authorization?.reversal?.authRevCode).toBeUndefined();
      expect((await authorizations(xid))[0].held).toBe(bookedAtKill(point) ? 500 : amount);
    });

    let order = await reduce();
    const deadline = Date.now() + 60_000;
    while (order.authorization?.reversal?.authRevCode === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      order = await reduce();
    }
    expect(order.state).toBe("authorized");
    expect(order.authorization?.reversal?.authRevCode).toBe("approved");
    expect((await authorizations(xid))[0].held).toBe(500);
    expect(before.held - (await account()).held).toBe(amount - 500);
    const messages = await adminJson<{ type: string }[]>("merchant", `/orders/${orderId}/messages`);
    expect(messages.filter((m) => m.type === "authReversalRequest")).toHaveLength(1);
    const answered = logLines(readState(home).parties.gateway.log, from)
      .filter(
        (l) => l.event === "authRevReq" && l.authRevRRPID === order.authorization?.reversal?.authRevRRPID,
      )
      .map((l) => String(l.kind));
    expectDecidedOnce(answered, "authRevRes", point);
  });
});

interface CapRevOrCredView {
  id: string;
  kind: string;
  code?: string;
  failure?: string;
  idempotencyKey?: string;
}
interface LifecycleOrder {
  id: number;
  state: string;
  authorization: { authRRPID: string; capRevOrCreds?: CapRevOrCredView[] } | null;
}
interface CaptureLedger {
  amount: number;
  reversed: boolean;
  credited: number;
  creditReversed: number;
  booked: { kind: string; date: string }[];
}

const capRevOrCredSteps = [
  {
    route: "refund",
    kind: "credit",
    event: "credReq",
    type: "creditRequest",
    state: "partiallyRefunded",
    posted: -500,
  },
  {
    route: "reverse-refund",
    kind: "creditReversal",
    event: "credRevReq",
    type: "creditReversalRequest",
    state: "refundReversed",
    posted: 500,
  },
  {
    route: "reverse-capture",
    kind: "captureReversal",
    event: "capRevReq",
    type: "captureReversalRequest",
    state: "captureReversed",
    posted: -amount,
  },
] as const;

describe.each(killPoints)("kill -9 of the %s: credit, credit reversal, capture reversal", (point) => {
  let orderId: number;
  let authRRPID: string;

  beforeAll(async () => {
    const r = await purchase({ home, card, purchAmt: purchAmtOf(String(amount), "JPY") });
    orderId = Number(r.orderId);
    expect((await captureOrder(home, String(orderId))).state).toBe("captured");
    authRRPID = (await adminJson<LifecycleOrder>("merchant", `/orders/${orderId}`)).authorization!.authRRPID;
  });

  test.each(capRevOrCredSteps)(
    "$route: the retry with the same idempotency key completes it; booked once, posted once",
    async (step) => {
      const key = `crash-${step.route}-${point.replace(/ /g, "-")}`;
      const ask = () =>
        postOrderOperation<LifecycleOrder>(
          adminOf(readState(home), "merchant"),
          String(orderId),
          step.route,
          step.kind === "credit" ? { amount: 500, amtExp10: 0 } : {},
          { "idempotency-key": key },
        );
      const ledger = () => adminJson<CaptureLedger>("gateway", `/admin/captures/${authRRPID}`);
      const messages = () =>
        adminJson<{ type: string }[]>("merchant", `/orders/${orderId}/messages`).then((m) =>
          m.filter((x) => x.type === step.type),
        );
      const before = { account: await account(), ledger: await ledger(), sent: (await messages()).length };
      const from = sizeOf(readState(home).parties.gateway.log);

      await killDuring(point, step.type, ask, async () => {
        // The request is on the merchant's disk before it leaves, at every point.
        const o = await adminJson<LifecycleOrder>("merchant", `/orders/${orderId}`);
        const waiting = o.authorization?.capRevOrCreds?.find((e) => e.idempotencyKey === key);
        expect(waiting).toMatchObject({ kind: step.kind });
        expect(waiting?.code).toBeUndefined();
        const booked = (await ledger()).booked.filter((b) => b.kind === step.kind).length;
        const earlier = before.ledger.booked.filter((b) => b.kind === step.kind).length;
        expect(booked - earlier).toBe(bookedAtKill(point) ? 1 : 0);
      });

      // The back office calls again with its key until the gateway's answer is recorded.
      let order = await ask();
      const deadline = Date.now() + 60_000;
      const entry = () => order.authorization?.capRevOrCreds?.find((e) => e.idempotencyKey === key);
      while (entry()?.code === undefined && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        order = await ask();
      }
      expect(order.state).toBe(step.state);
      expect(entry()).toMatchObject({ kind: step.kind, code: "success" });
      expect(order.authorization?.capRevOrCreds?.filter((e) => e.idempotencyKey === key)).toHaveLength(1);
      // Once more: the answered call is returned as it is, nothing sent.
      expect((await ask()).authorization?.capRevOrCreds).toEqual(order.authorization?.capRevOrCreds);

      const after = { account: await account(), ledger: await ledger() };
      expect(after.ledger.booked.filter((b) => b.kind === step.kind).length).toBe(
        before.ledger.booked.filter((b) => b.kind === step.kind).length + 1,
      );
      expect(after.ledger.booked).toHaveLength(before.ledger.booked.length + 1);
      expect(after.account.posted - before.account.posted).toBe(step.posted);
      expect(after.account.held).toBe(before.account.held);
      expect((await messages()).length).toBe(before.sent + 1);
      expectDecidedOnce(gatewayAnswers(step.event, entry()!.id, from), "answer", point);
    },
  );

  test("the ledger of the capture: one credit, one credit reversal, one capture reversal", async () => {
    const ledger = await adminJson<CaptureLedger>("gateway", `/admin/captures/${authRRPID}`);
    expect(ledger).toMatchObject({ amount, reversed: true, credited: 500, creditReversed: 500 });
    expect(ledger.booked.map((b) => b.kind)).toEqual(["credit", "creditReversal", "captureReversal"]);
  });
});

describe("kill -9 of the merchant before it sends a committed credit, and no repeat of the call", () => {
  test("the restarted merchant finishes the credit by itself: booked once, posted once, recorded with its event", async () => {
    const r = await purchase({ home, card, purchAmt: purchAmtOf(String(amount), "JPY") });
    const orderId = Number(r.orderId);
    expect((await captureOrder(home, String(orderId))).state).toBe("captured");
    const order = () => adminJson<LifecycleOrder>("merchant", `/orders/${orderId}`);
    const authRRPID = (await order()).authorization!.authRRPID;
    const ledger = () => adminJson<CaptureLedger>("gateway", `/admin/captures/${authRRPID}`);
    const before = await account();
    const from = sizeOf(readState(home).parties.gateway.log);
    const merchantLog = readState(home).parties.merchant.log;
    const logFrom = sizeOf(merchantLog);
    const refund = () =>
      postOrderOperation<LifecycleOrder>(adminOf(readState(home), "merchant"), String(orderId), "refund", {
        amount: 500,
        amtExp10: 0,
      });
    await killDuring("merchant before send", "creditRequest", refund, async () => {
      expect((await order()).authorization?.capRevOrCreds?.[0]?.code).toBeUndefined();
      expect((await ledger()).booked).toEqual([]);
    });

    // Nobody calls again: the merchant's recovery sends the stored CredReq when it is ready.
    const finished = await waitForLog(
      merchantLog,
      logFrom,
      (l) => l.event === "lifecycleRequestFinished" && l.orderId === orderId,
    );
    expect(finished).toMatchObject({ request: "CredReq", state: "partiallyRefunded" });
    const credited = await order();
    expect(credited.state).toBe("partiallyRefunded");
    expect(credited.authorization?.capRevOrCreds).toMatchObject([{ kind: "credit", code: "success" }]);
    expect((await ledger()).booked.map((b) => b.kind)).toEqual(["credit"]);
    expect((await account()).posted - before.posted).toBe(-500);
    expect(gatewayAnswers("credReq", credited.authorization!.capRevOrCreds![0].id, from)).toEqual(["answer"]);
    const events = await adminJson<{ type: string }[]>("merchant", `/orders/${orderId}/events`);
    expect(events.filter((e) => e.type === "refunded")).toHaveLength(1);
  });
});

interface BatchView {
  code: string;
  merchantID: string;
  batchId: number;
  opened?: string;
  closed?: string;
  itemCount?: number;
  totals: { brand: string; itemCount: number; amount: unknown }[];
}

describe.each(killPoints)("kill -9 of the %s during a batch close", (point) => {
  test("the close retried with its idempotency key closes the batch once, totals unchanged; the same close again gets the stored answer; the next capture opens the next batch", async () => {
    const first = await purchase({ home, card, purchAmt: purchAmtOf(String(amount), "JPY") });
    const captured = await captureOrder(home, String(first.orderId));
    expect(captured.state).toBe("captured");
    const later = await purchase({ home, card, purchAmt: purchAmtOf(String(amount), "JPY") });
    const open = await adminJson<BatchView>("merchant", "/batches/open");
    expect(open).toMatchObject({ code: "success" });
    expect(open.closed).toBeUndefined();
    const batchOf = async (id: number | string) =>
      (await adminJson<{ authorization: { capture: { batchID: number } } }>("merchant", `/orders/${id}`))
        .authorization.capture.batchID;
    expect(await batchOf(first.orderId)).toBe(open.batchId);
    const settlement = `/admin/batches/${open.merchantID}/${open.batchId}/settlement`;
    const key = `crash-close-${point.replace(/ /g, "-")}`;
    const close = () => {
      const merchant = adminOf(readState(home), "merchant");
      return httpJson<BatchView>(`${merchant.url}/batches/close`, {
        method: "POST",
        headers: {
          ...adminHeaders(merchant.token),
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: "{}",
      });
    };
    const from = sizeOf(readState(home).parties.gateway.log);

    await killDuring(point, "batchAdministrationRequest", close, async () => {
      // Closed on the gateway's disk exactly when it booked the close.
      const report = await adminJson("gateway", settlement).catch((e: Error) => e);
      if (bookedAtKill(point)) expect(report).not.toBeInstanceOf(Error);
      else expect(String(report)).toMatch(/409/);
    });

    let closed: BatchView | Error = await close().catch((e: Error) => e);
    const deadline = Date.now() + 60_000;
    while (closed instanceof Error && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      closed = await close().catch((e: Error) => e);
    }
    if (closed instanceof Error) throw closed;
    expect(closed).toMatchObject({ code: "success", batchId: open.batchId, opened: open.opened });
    expect(closed.closed).toBeDefined();
    expect(closed.itemCount).toBe(open.itemCount);
    expect(closed.totals).toEqual(open.totals);
    // The same close again: the gateway's stored answer, the same moment of closing.
    expect(await close()).toEqual(closed);

    const report = await adminJson<{ itemCount: number; closed: string }>("gateway", settlement);
    expect(report.itemCount).toBe(open.itemCount);
    // The BatchAdminRes states the moment in whole seconds (GeneralizedTime), the report to the ms.
    expect(Math.floor(Date.parse(report.closed) / 1000) * 1000).toBe(Date.parse(closed.closed!));
    const rrpids = new Set(
      logLines(readState(home).parties.gateway.log, from)
        .filter((l) => l.event === "batchAdminReq" && l.operation === "close")
        .map((l) => String(l.rrpid)),
    );
    expect(rrpids.size).toBe(1);
    expectDecidedOnce(gatewayAnswers("batchAdminReq", [...rrpids][0], from), "batchAdminRes", point);

    // A capture after the close goes to the next batch; the closed one keeps its totals.
    expect((await captureOrder(home, String(later.orderId))).state).toBe("captured");
    expect(await batchOf(later.orderId)).toBe(open.batchId + 1);
    expect((await adminJson<{ itemCount: number }>("gateway", settlement)).itemCount).toBe(open.itemCount);
  });
});
