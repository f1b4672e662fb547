/**
 * Crash safety of the merchant over real SQLite files: an order a stopped process left in
 * `authorizing` is finished by a new Merchant on the same file (startup recovery), a PReq the PC
 * re-sends is answered from the store or waits for the recovery, and an answer damaged on the wire
 * is fetched again with the same AuthReq bytes. The gateway is the real in-process test gateway
 * (it opens the AuthReq and the PI with every check and seals a real AuthRes).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { bytesEqual, nodeProvider, schema, wrapMessage } from "@setlab/protocol";
import { createTestPki, type TestPki } from "@setlab/protocol/testing";
import { SET_PAYMENT } from "@setlab/runtime";
import { closedAtEnd } from "@setlab/runtime/testing";
import { HttpGatewayClient } from "../httpGatewayClient";
import { SqliteRepository } from "../store/sqliteRepository";
import { errorCodeOf } from "../testing/errorCode";
import { GatewayFunction } from "../testing/gatewayFunction";
import { kitOf, pInitReq, pReq, readPInitRes, readPRes } from "../testing/testCard";
import { testMerchantConfig } from "../testing/testMerchantConfig";
import type { GatewayClient } from "./gatewayClient";
import { Merchant } from "./merchant";

const p = nodeProvider();
let pki: TestPki;
let dir: string;
let n = 0;

beforeAll(async () => {
  pki = await createTestPki(p);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-recovery-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** One merchant process over a database file. */
function merchantOn(db: string, gateway: GatewayClient) {
  const repo = closedAtEnd(new SqliteRepository(db));
  return { repo, merchant: new Merchant({ p, repo, config: testMerchantConfig(pki), gateway }) };
}

/**
 * A gateway that keeps what it answered per AuthRRPID, as the real one does: a repeat of the same
 * bytes gets the same answer, and `authorizations` counts the distinct decisions.
 */
class RememberingGateway implements GatewayClient {
  readonly inner = new GatewayFunction(p, pki);
  readonly answers = new Map<string, Uint8Array>();
  readonly sent: Uint8Array[] = [];
  /** Hold every call until this resolves. */
  gate: Promise<void> = Promise.resolve();

  get authorizations(): number {
    return this.answers.size;
  }

  async send(id: string, message: Uint8Array): Promise<Uint8Array> {
    this.sent.push(message);
    await this.gate;
    const key = Buffer.from(schema.decodeMessage(message).messageHeader.rrpid!).toString("hex");
    let answer = this.answers.get(key);
    if (!answer) {
      answer = await this.inner.send(id, message);
      this.answers.set(key, answer);
    }
    return answer;
  }
}

const description = "1 x SET Lab mug";
const purchAmt = { currency: 392, amount: 12800, amtExp10: 0 };

/** A purchase up to the AuthReq, in a merchant that "dies" while waiting for the gateway. */
async function leftAuthorizing() {
  const db = path.join(dir, `m${++n}.db`);
  const hanging: GatewayClient = { send: () => new Promise<Uint8Array>(() => {}) };
  const first = merchantOn(db, hanging);
  const order = await first.merchant.createOrder({ description, ...purchAmt });
  const session = pInitReq(p, order.lidM);
  const data = await readPInitRes(
    p,
    kitOf(pki),
    session,
    (await first.merchant.handleSet(session.pInitReq)).response,
  );
  const req = await pReq(p, kitOf(pki), session, data, { description, purchAmt });
  void first.merchant.handleSet(req.der);
  for (let i = 0; i < 500 && (await first.repo.order(order.id))?.state !== "authorizing"; i++)
    await new Promise((r) => setTimeout(r, 10));
  expect((await first.repo.order(order.id))?.state).toBe("authorizing");
  const storedAuthReq = (await first.repo.messages(order.id)).find(
    (m) => m.type === "authorizationRequest",
  )!.der;
  await first.repo.close();
  return { db, order, session, data, req, storedAuthReq, xid: data.data.transIDs.xid };
}

/** The same PReq content in a new envelope: same RRPID, other bytes. */
function rewrapped(der: Uint8Array): Uint8Array {
  const w = schema.decodeMessage(der);
  const ids = w.messageHeader.messageIDs;
  return wrapMessage(
    w.message,
    { rrpid: w.messageHeader.rrpid, lid_C: ids?.lid_C, lid_M: ids?.lid_M, xid: ids?.xid },
    { date: new Date(w.messageHeader.date.getTime() + 1000) },
  );
}

describe("merchant startup recovery", () => {
  test("an order left authorizing is finished by a new Merchant with the stored AuthReq bytes", async () => {
    const left = await leftAuthorizing();
    const gateway = new RememberingGateway();
    const { merchant, repo } = merchantOn(left.db, gateway);
    expect(await merchant.resumeAuthorizations()).toEqual([
      { orderId: left.order.id, xid: left.order.xid ?? expect.any(String), state: "authorized" },
    ]);
    expect(gateway.sent).toHaveLength(1);
    expect(bytesEqual(gateway.sent[0], left.storedAuthReq)).toBe(true);
    expect(gateway.authorizations).toBe(1);
    // The PC re-sends its PReq: the stored PRes, no new AuthReq.
    const again = await merchant.handleSet(left.req.der);
    expect(again.replayed).toBe(true);
    const pRes = await readPRes(p, kitOf(pki), left.session, left.xid, again.response);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("authorizationPerformed");
    expect(gateway.sent).toHaveLength(1);
    const types = (await merchant.messages(left.order.id)).map((m) => `${m.from}>${m.to}:${m.type}`);
    expect(types.filter((t) => t.endsWith(":authorizationRequest"))).toHaveLength(1);
    expect(types.slice(-2)).toEqual([
      "gateway>merchant:authorizationResponse",
      "merchant>cardholder:purchaseResponse",
    ]);
    // Nothing is left to resume.
    expect(await merchant.resumeAuthorizations()).toEqual([]);
    await repo.close();
  });

  test("the PC re-sending the PReq while recovery runs waits for it: one PRes, one AuthReq", async () => {
    const left = await leftAuthorizing();
    const gateway = new RememberingGateway();
    let open!: () => void;
    gateway.gate = new Promise<void>((r) => {
      open = r;
    });
    const { merchant, repo } = merchantOn(left.db, gateway);
    const recovery = merchant.resumeAuthorizations();
    for (let i = 0; i < 500 && gateway.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const resent = merchant.handleSet(left.req.der);
    open();
    const [resumed, answer] = await Promise.all([recovery, resent]);
    expect(resumed[0].state).toBe("authorized");
    const pRes = await readPRes(p, kitOf(pki), left.session, left.xid, answer.response);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("authorizationPerformed");
    expect(gateway.sent).toHaveLength(1);
    expect(gateway.authorizations).toBe(1);
    await repo.close();
  });

  test("a PReq re-sent with other bytes (same RRPID) is refused, before and after recovery; one AuthReq", async () => {
    const left = await leftAuthorizing();
    const gateway = new RememberingGateway();
    const { merchant, repo } = merchantOn(left.db, gateway);
    const other = rewrapped(left.req.der);
    expect(bytesEqual(other, left.req.der)).toBe(false);
    // Before recovery: refused, and recorded with the order (a PReq the recovery must not pick).
    expect(await errorCodeOf(p, (await merchant.handleSet(other)).response)).toBe("unknownRRPID");
    expect(gateway.sent).toHaveLength(0);
    expect((await repo.order(left.order.id))?.state).toBe("authorizing");

    const [resumed] = await merchant.resumeAuthorizations();
    expect(resumed.state).toBe("authorized");
    expect(await errorCodeOf(p, (await merchant.handleSet(other)).response)).toBe("unknownRRPID");
    // The PRes answers the original PReq (its RRPID and Chall-C), not the refused one.
    const pRes = await readPRes(
      p,
      kitOf(pki),
      left.session,
      left.xid,
      (await merchant.handleSet(left.req.der)).response,
    );
    expect(pRes.rrpid).toEqual(left.req.oiData.rrpid);
    expect(gateway.sent).toHaveLength(1);
    expect(gateway.authorizations).toBe(1);
    await repo.close();
  });

  test("a second PReq (new RRPID) for the order while it is authorizing is refused; no second AuthReq", async () => {
    const left = await leftAuthorizing();
    const gateway = new RememberingGateway();
    const { merchant, repo } = merchantOn(left.db, gateway);
    const second = await pReq(p, kitOf(pki), left.session, left.data, { description, purchAmt });
    expect(await errorCodeOf(p, (await merchant.handleSet(second.der)).response)).toBe("unspecifiedFailure");
    expect(gateway.sent).toHaveLength(0);
    await merchant.resumeAuthorizations();
    expect(gateway.sent).toHaveLength(1);
    expect(gateway.authorizations).toBe(1);
    await repo.close();
  });

  test("recovery with the gateway still down finishes the order authorizationFailed, PRes orderReceived stored", async () => {
    const left = await leftAuthorizing();
    const gateway = new GatewayFunction(p, pki);
    gateway.mode = "down";
    const { merchant, repo } = merchantOn(left.db, gateway);
    const [resumed] = await merchant.resumeAuthorizations();
    expect(resumed.state).toBe("authorizationFailed");
    const again = await merchant.handleSet(left.req.der);
    expect(again.replayed).toBe(true);
    const pRes = await readPRes(p, kitOf(pki), left.session, left.xid, again.response);
    expect(pRes.pResPayloadSeq[0].completionCode).toBe("orderReceived");
    expect(gateway.calls).toBe(1);
    await repo.close();
  });
});

/** The in-process gateway behind real HTTP, with a list of faults applied to its answers in turn. */
async function httpGateway(faults: ("garbage" | "flip" | "ok")[]) {
  const gateway = new RememberingGateway();
  const bodies: Buffer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      bodies.push(body);
      const answer = Buffer.from(await gateway.send("Visa", new Uint8Array(body)));
      const fault = faults[bodies.length - 1] ?? "ok";
      if (fault === "flip") answer[answer.length - 40] ^= 0x01; // inside the signed, sealed AuthRes
      res.writeHead(200, { "content-type": SET_PAYMENT });
      res.end(fault === "garbage" ? Buffer.from([0x30, 0x03, 1, 2, 3]) : answer);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/set`;
  const client = new HttpGatewayClient({ Visa: url }, { spacingMs: 0 });
  return { gateway, bodies, client, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function purchaseThrough(client: GatewayClient, keepOpen = false) {
  const { merchant, repo } = merchantOn(path.join(dir, `m${++n}.db`), client);
  const order = await merchant.createOrder({ description, ...purchAmt });
  const session = pInitReq(p, order.lidM);
  const data = await readPInitRes(
    p,
    kitOf(pki),
    session,
    (await merchant.handleSet(session.pInitReq)).response,
  );
  const req = await pReq(p, kitOf(pki), session, data, { description, purchAmt });
  const out = await merchant.handleSet(req.der);
  const pRes = await readPRes(p, kitOf(pki), session, data.data.transIDs.xid, out.response);
  const view = await merchant.orderView(order.id);
  if (!keepOpen) await repo.close();
  return { pRes, view, merchant, repo, order };
}

describe("an AuthRes damaged on the wire is fetched again with the same bytes", () => {
  test.each([["garbage"], ["flip"]] as const)(
    "%s, then the gateway's stored AuthRes: authorized",
    async (fault) => {
      const g = await httpGateway([fault]);
      try {
        const { pRes, view } = await purchaseThrough(g.client);
        expect(pRes.pResPayloadSeq[0].completionCode).toBe("authorizationPerformed");
        expect(view?.state).toBe("authorized");
        expect(g.bodies).toHaveLength(2);
        expect(g.bodies[1].equals(g.bodies[0])).toBe(true);
        expect(g.gateway.authorizations).toBe(1);
      } finally {
        await g.close();
      }
    },
  );

  test("damaged on every attempt: in doubt, orderReceived; settled later with the gateway's stored AuthRes", async () => {
    const g = await httpGateway(["garbage", "flip", "garbage"]);
    try {
      const { pRes, view, merchant, repo, order } = await purchaseThrough(g.client, true);
      expect(pRes.pResPayloadSeq[0].completionCode).toBe("orderReceived");
      expect(view?.state).toBe("authorizing");
      expect(view?.authorization).toMatchObject({ inDoubt: true, completionCode: "orderReceived" });
      expect(view?.authorization?.failure).toMatch(/AuthRes (refused|unusable)/);
      expect(g.bodies).toHaveLength(3);
      expect(g.gateway.authorizations).toBe(1);

      const settled = await merchant.settleInDoubt();
      expect(settled).toEqual([{ orderId: order.id, state: "authorized" }]);
      const after = await merchant.orderView(order.id);
      expect(after?.state).toBe("authorized");
      expect(after?.authorization).toMatchObject({ authCode: "approved", completionCode: "orderReceived" });
      expect(after?.history.at(-1)?.detail).toMatch(/^settled after doubt: approved/);
      expect(g.bodies).toHaveLength(4);
      expect(g.bodies[3].equals(g.bodies[0])).toBe(true);
      expect(g.gateway.authorizations).toBe(1);
      expect(await merchant.settleInDoubt()).toEqual([]);
      // The shop heard the doubt, its end, and the decision, each once.
      const events = await merchant.events(order.id);
      expect(events.map((e) => e.type)).toEqual(["inDoubt", "settled", "authorized"]);
      expect(events[0].reason).toMatch(/AuthRes (refused|unusable)/);
      expect(events[1].outcome).toBe("authorized");
      await repo.close();
    } finally {
      await g.close();
    }
  });

  test("the gateway's own SET Error is an answer, not a wire fault: one attempt", async () => {
    const errorGateway = new GatewayFunction(p, pki);
    errorGateway.mode = "error";
    let attempts = 0;
    const client: GatewayClient = {
      async send(id, message, context) {
        for (;;) {
          attempts++;
          const answer = await errorGateway.send(id, message);
          if (attempts >= 3 || !context.accept || (await context.accept(answer))) return answer;
        }
      },
    };
    const { view } = await purchaseThrough(client);
    expect(view?.state).toBe("authorizationFailed");
    expect(view?.authorization?.failure).toContain("SET Error");
    expect(attempts).toBe(1);
  });
});
