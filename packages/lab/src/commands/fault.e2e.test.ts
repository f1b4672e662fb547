/**
 * The fault switches across real processes (docs/faults.md): a lab from `up` (which starts every
 * party with SETLAB_ALLOW_FAULTS=1), plans set through `setFaults` and the `set-lab fault` CLI, and
 * purchases made by the mediator. For each gateway fault the buyer's outcome, the merchant's order
 * and the gateway's record end as the docs say; the merchant's pause sits after the AuthRes arrived
 * and before the merchant recorded it. The merchant's attempts to reach the gateway are 1.5 s each
 * here (`up`'s gatewayTimeoutMs, 5 s by default) and it settles doubt every second, so that a retry
 * costs the test 1.5 s instead of 5.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { adminFetch } from "@setlab/runtime";
import { seedLabPki } from "@setlab/runtime/testing";
import { purchAmtOf } from "../currency";
import { adminOf, type LabState } from "../labState";
import { down } from "./down";
import { clearFaults, getFaults, setFaults } from "./fault";
import { type PurchaseResult, purchase } from "./purchase";
import { up } from "./up";

jest.setTimeout(120_000);

/** The merchant's attempt to reach the gateway, and the spacing of its attempts. */
const attemptMs = 1500;
const cli = path.resolve(__dirname, "..", "..", "dist", "cli.js");
let home: string;
let state: LabState;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-faults-"));
  seedLabPki(path.join(home, "pki"));
  state = await up({ home, gatewayTimeoutMs: attemptMs, settleEveryMs: 1000 });
}, 180_000);

afterAll(async () => {
  if (state) await down(home).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
});

afterEach(async () => {
  await clearFaults(home, "gateway");
  await clearFaults(home, "merchant");
});

type LogEntry = Record<string, unknown>;

const logSize = (file: string) => fs.statSync(file).size;

function logEntries(file: string, since: number): LogEntry[] {
  const text = fs.readFileSync(file).subarray(since).toString("utf8");
  return text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l) as LogEntry;
      } catch {
        return {};
      }
    });
}

/** Resolve with the first log entry after `since` that matches; reject after `limitMs`. */
async function waitForLog(file: string, since: number, match: (e: LogEntry) => boolean, limitMs = 60_000) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const found = logEntries(file, since).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching log entry in ${file}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const gatewayLog = () => state.parties.gateway.log;
const merchantLog = () => state.parties.merchant.log;
const pay = (card = "visa-approve") => purchase({ home, card, purchAmt: purchAmtOf("700", "JPY") });
const isFault = (fault: string) => (e: LogEntry) => e.event === "fault" && e.fault === fault;
const authReqsOf = (since: number, xid: string) =>
  logEntries(gatewayLog(), since).filter((e) => e.event === "authReq" && e.xid === xid);

function expectAuthorizedOnce(r: PurchaseResult) {
  expect(r.mediator.outcome).toBe("approved");
  expect(r.order.state).toBe("authorized");
  expect(r.authorizations).toHaveLength(1);
  expect(r.authorizations[0]).toMatchObject({ authCode: "approved", xid: r.order.xid });
}

function expectOrderReceived(r: PurchaseResult) {
  expect(r.mediator.outcome).toBe("orderReceived");
  expect(r.mediator.completionCode).toBe("orderReceived");
  expect(r.order.state).toBe("authorizationFailed");
}

/** No usable answer, yet the gateway may have decided: the order waits in doubt, the buyer hears orderReceived. */
function expectInDoubt(r: PurchaseResult) {
  expect(r.mediator.outcome).toBe("orderReceived");
  expect(r.mediator.completionCode).toBe("orderReceived");
  expect(r.order.state).toBe("authorizing");
  expect((r.order as { authorization?: { inDoubt?: boolean } }).authorization?.inDoubt).toBe(true);
}

/** The merchant's order once its in-doubt authorization is settled (it re-sends every second). */
async function settledOrder(r: PurchaseResult, limitMs = 60_000) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const order = (await (await adminFetch(adminOf(state, "merchant"), `/orders/${r.orderId}`)).json()) as {
      state: string;
      history: { state: string; detail: string }[];
    };
    if (order.state !== "authorizing" || Date.now() > deadline) return order;
    await new Promise((done) => setTimeout(done, 250));
  }
}

describe("gateway fault switches", () => {
  it("the routes show, replace and clear the plan; an invalid plan is 400 with the reason", async () => {
    const admin = adminOf(state, "gateway");
    expect(await getFaults(home, "gateway")).toEqual({});
    expect(await setFaults(home, "gateway", { dropRate: 0.25 })).toEqual({
      dropRate: 0.25,
    });
    expect(await (await adminFetch(admin, "/admin/faults")).json()).toEqual({ dropRate: 0.25 });
    // Not on the payment listener, and not on the admin one without the token.
    expect((await fetch(`${state.parties.gateway.url}/admin/faults`)).status).toBe(404);
    expect((await fetch(`${admin.url}/admin/faults`)).status).toBe(401);
    const put = (body: string) =>
      adminFetch(admin, "/admin/faults", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body,
      });
    for (const [body, reason] of [
      ['{"dropRate":1.5}', /dropRate must be between 0 and 1/],
      ['{"delayMs":"slow"}', /delayMs must be a number/],
      ['{"stage":"received"}', /need delayMs/],
      ['{"typo":1}', /unknown field "typo"/],
      ["[1]", /JSON object/],
      ["{not json", /^invalid fault plan: Body is not valid JSON/],
      ["", /^invalid fault plan: Body cannot be empty/],
    ] as const) {
      const res = await put(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(reason);
    }
    // A refused plan leaves the plan in force unchanged.
    expect(await getFaults(home, "gateway")).toEqual({ dropRate: 0.25 });
    await expect(setFaults(home, "gateway", { http5xxRate: 2 })).rejects.toThrow(
      /refused the plan: invalid fault plan: http5xxRate/,
    );
    expect((await adminFetch(admin, "/admin/faults", { method: "DELETE" })).status).toBe(200);
    expect(await getFaults(home, "gateway")).toEqual({});
  });

  it("delay at 'committed' longer than the merchant's attempt: the merchant sends the same bytes again and gets the stored AuthRes; one authorization", async () => {
    const since = logSize(gatewayLog());
    await setFaults(home, "gateway", { delayMs: 2 * attemptMs, stage: "committed" });
    const running = pay();
    const fault = await waitForLog(gatewayLog(), since, isFault("delay"));
    expect(fault).toMatchObject({ stage: "committed", delayMs: 2 * attemptMs, kind: "authRes" });
    await clearFaults(home, "gateway");
    const r = await running;
    expectAuthorizedOnce(r);
    const seen = authReqsOf(since, r.order.xid!);
    expect(seen.map((e) => e.kind)).toEqual(["authRes", "replay"]);
    expect(new Set(seen.map((e) => e.authRRPID)).size).toBe(1);
    expect(fault.xid).toBe(r.order.xid);
  });

  it("delay at 'received': nothing is processed while held; the retry is authorized and the held copy becomes a replay", async () => {
    const since = logSize(gatewayLog());
    await setFaults(home, "gateway", { delayMs: 2 * attemptMs, stage: "received" });
    const running = pay();
    const fault = await waitForLog(gatewayLog(), since, isFault("delay"));
    expect(fault).toMatchObject({ stage: "received" });
    // Held at "received": the gateway has committed nothing for it.
    expect(fault.kind).toBeUndefined();
    await clearFaults(home, "gateway");
    const r = await running;
    expectAuthorizedOnce(r);
    const xid = r.order.xid!;
    // The held request is processed after its delay, as a repeat of the retry that went first.
    const held = await waitForLog(
      gatewayLog(),
      since,
      (e) => e.event === "authReq" && e.xid === xid && e.kind === "replay",
    );
    expect(held.authRRPID).toBe(r.authorizations[0].authRRPID);
    expect(authReqsOf(since, xid).map((e) => e.kind)).toEqual(["authRes", "replay"]);
  });

  it("503 on every attempt: nothing is committed, the order waits in doubt, and is authorized once the gateway answers", async () => {
    const since = logSize(gatewayLog());
    await setFaults(home, "gateway", { http5xxRate: 1 });
    const r = await pay();
    expectInDoubt(r);
    expect(r.authorizations).toEqual([]);
    const faults = logEntries(gatewayLog(), since).filter(isFault("http5xx"));
    expect(faults.length).toBeGreaterThanOrEqual(1);
    expect(faults[0].xid).toBe(r.order.xid);
    expect(authReqsOf(since, r.order.xid!)).toEqual([]);
    await clearFaults(home, "gateway");
    const settled = await settledOrder(r);
    expect(settled.state).toBe("authorized");
    expect(settled.history.at(-1)?.detail).toMatch(/^settled after doubt: approved/);
    expect(authReqsOf(since, r.order.xid!).map((e) => e.kind)).toEqual(["authRes"]);
  });

  it("503 once: the merchant's retry is authorized", async () => {
    const since = logSize(gatewayLog());
    await setFaults(home, "gateway", { http5xxRate: 1 });
    const running = pay();
    await waitForLog(gatewayLog(), since, isFault("http5xx"));
    await clearFaults(home, "gateway");
    const r = await running;
    expectAuthorizedOnce(r);
  });

  it("drop after commit, once: the merchant's retry gets the stored AuthRes; one authorization", async () => {
    const since = logSize(gatewayLog());
    await setFaults(home, "gateway", { dropRate: 1 });
    const running = pay();
    const fault = await waitForLog(gatewayLog(), since, isFault("drop"));
    expect(fault.kind).toBe("authRes");
    await clearFaults(home, "gateway");
    const r = await running;
    expectAuthorizedOnce(r);
    expect(authReqsOf(since, r.order.xid!).map((e) => e.kind)).toEqual(["authRes", "replay"]);
  });

  it("malformed answer on every attempt: the order waits in doubt, then settles with the gateway's stored AuthRes", async () => {
    const since = logSize(gatewayLog());
    await setFaults(home, "gateway", { malformedRate: 1 });
    const r = await pay();
    expectInDoubt(r);
    expect(logEntries(gatewayLog(), since).filter(isFault("malformed")).length).toBeGreaterThanOrEqual(1);
    // The gateway did commit (the fault sits after the commit); the merchant never got a usable answer.
    expect(r.authorizations).toHaveLength(1);
    await clearFaults(home, "gateway");
    const settled = await settledOrder(r);
    expect(settled.state).toBe("authorized");
    expect(authReqsOf(since, r.order.xid!).filter((e) => e.kind === "authRes")).toHaveLength(1);
  });

  it("bad signature on every attempt: the merchant's signature check refuses the AuthRes", async () => {
    const since = logSize(gatewayLog());
    await setFaults(home, "gateway", { badSignatureRate: 1 });
    const r = await pay();
    expectInDoubt(r);
    const faults = logEntries(gatewayLog(), since).filter(isFault("badSignature"));
    expect(faults.length).toBeGreaterThanOrEqual(1);
    expect(faults.every((f) => f.skipped === undefined)).toBe(true);
    // The merchant's opener reports a failed inner signature as the one generic decryption error.
    expect(String((r.order as { authorization?: { failure?: string } }).authorization?.failure)).toMatch(
      /AuthRes refused: decodingFailure/,
    );
    // The same AuthReq without the fault gets the genuine AuthRes the gateway kept.
    expect(r.authorizations).toHaveLength(1);
    expect(r.authorizations[0].authCode).toBe("approved");
    await clearFaults(home, "gateway");
    expect((await settledOrder(r)).state).toBe("authorized");
  });

  it("bad signature once: the genuine AuthRes on the retry is accepted (negative control for the forged one)", async () => {
    const since = logSize(gatewayLog());
    await setFaults(home, "gateway", { badSignatureRate: 1 });
    const running = pay();
    await waitForLog(gatewayLog(), since, isFault("badSignature"));
    await clearFaults(home, "gateway");
    const r = await running;
    // The merchant sends the same bytes again after refusing the forged AuthRes, and accepts the genuine one.
    expectAuthorizedOnce(r);
    expect(authReqsOf(since, r.order.xid!).map((e) => e.kind)).toEqual(["authRes", "replay"]);
  });

  it("clock skew 20 min ahead: the gateway refuses the AuthReq as messageTooOld; nothing is committed, the buyer gets orderReceived", async () => {
    const since = logSize(gatewayLog());
    await setFaults(home, "gateway", { clockSkewSeconds: 1200 });
    const r = await pay();
    expectOrderReceived(r);
    expect(r.authorizations).toEqual([]);
    const refusal = await waitForLog(gatewayLog(), since, (e) => e.event === "authReq" && e.kind === "error");
    expect(refusal).toMatchObject({ errorCode: "messageTooOld", xid: r.order.xid });
    expect(String(r.order.history?.at(-1)?.detail)).toContain("messageTooOld");
  });

  it("clock skew within the tolerance: the purchase is approved and the gateway's record carries its skewed time", async () => {
    await setFaults(home, "gateway", { clockSkewSeconds: 300 });
    const before = Date.now();
    const r = await pay();
    expectAuthorizedOnce(r);
    const created = Date.parse(String(r.authorizations[0].created));
    expect(created).toBeGreaterThan(before + 200_000);
  });
});

describe("merchant fault switch", () => {
  it("pause after the AuthRes: the gateway has committed, the merchant has not yet recorded; then the purchase completes", async () => {
    const since = logSize(merchantLog());
    await setFaults(home, "merchant", { pauseAfterAuthResMs: 2500 });
    const running = pay();
    const fault = await waitForLog(merchantLog(), since, isFault("pauseAfterAuthRes"));
    expect(fault.pauseMs).toBe(2500);
    const xid = String(fault.xid);
    expect(xid).toMatch(/^[0-9a-f]{40}$/);
    const auths = (await (
      await adminFetch(adminOf(state, "gateway"), `/admin/authorizations?xid=${xid}`)
    ).json()) as unknown[];
    expect(auths).toHaveLength(1);
    // Inside the window the merchant's order is still authorizing.
    const orders = logEntries(merchantLog(), since).filter((e) => e.xid === xid && e.orderId !== undefined);
    const orderId = orders[0]?.orderId;
    expect(orderId).toBeDefined();
    const order = (await (await adminFetch(adminOf(state, "merchant"), `/orders/${orderId}`)).json()) as {
      state: string;
    };
    expect(order.state).toBe("authorizing");
    const r = await running;
    expectAuthorizedOnce(r);
    expect(r.order.xid).toBe(xid);
  });

  it("an invalid merchant plan is 400; the routes show and clear it", async () => {
    const res = await adminFetch(adminOf(state, "merchant"), "/admin/faults", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: '{"pauseAfterAuthResMs":-3}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/pauseAfterAuthResMs must be an integer/);
    expect(await setFaults(home, "merchant", { pauseAfterAuthResMs: 10 })).toEqual({
      pauseAfterAuthResMs: 10,
    });
    expect(await getFaults(home, "merchant")).toEqual({ pauseAfterAuthResMs: 10 });
    await clearFaults(home, "merchant");
    expect(await getFaults(home, "merchant")).toEqual({});
  });
});

describe("set-lab fault", () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, "fault", ...args, "--home", home], { encoding: "utf8" });

  it("sets, shows and clears a plan on the running lab", async () => {
    const set = run(
      "gateway",
      "--delay",
      "250",
      "--stage",
      "received",
      "--drop",
      "0.05",
      "--clock-skew",
      "-30",
    );
    expect(set.status).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({
      delayMs: 250,
      stage: "received",
      dropRate: 0.05,
      clockSkewSeconds: -30,
    });
    expect(await getFaults(home, "gateway")).toEqual(JSON.parse(set.stdout));
    expect(JSON.parse(run("gateway").stdout)).toEqual(JSON.parse(set.stdout));
    expect(run("gateway", "--clear").status).toBe(0);
    expect(await getFaults(home, "gateway")).toEqual({});
    const m = run("merchant", "--pause-after-authres", "1500");
    expect(m.status).toBe(0);
    expect(await getFaults(home, "merchant")).toEqual({ pauseAfterAuthResMs: 1500 });
  });

  it.each([
    [["gateway", "--drop", "lots"], "--drop takes a probability"],
    [["gateway", "--delay", "1.5"], "--delay takes a whole number"],
    [["phone", "--clear"], 'unknown party "phone"'],
    [["merchant", "--malformed", "0.1"], "Unknown option"],
  ])("%j is refused with exit 2: %s", (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
