import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closedAtEnd } from "@setlab/runtime/testing";
import Database from "better-sqlite3";
import { lidMOf } from "../core/order";
import { OrderStateError } from "../core/orderState";
import { ConcurrentChangeError } from "./repository";
import { SqliteRepository } from "./sqliteRepository";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "merchant-store-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const at = new Date("2026-01-02T03:04:05Z");
const order = { description: "mug", purchAmt: { currency: 392, amount: 5, amtExp10: 0 } };

describe("SqliteRepository", () => {
  test("the database and its WAL are the owner's alone (0600), even over a looser existing file", async () => {
    const file = path.join(dir, "mode.db");
    fs.writeFileSync(file, "");
    fs.chmodSync(file, 0o644);
    const repo = closedAtEnd(new SqliteRepository(file));
    await repo.createOrder(order, at);
    for (const f of [file, `${file}-wal`]) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    await repo.close();
  });

  test("a commit lands whole and survives reopening the file (WAL)", async () => {
    const file = path.join(dir, "a.db");
    const repo = closedAtEnd(new SqliteRepository(file));
    const o = await repo.createOrder(order, at);
    expect(o.lidM).toBe(`order-${o.id}`);
    await repo.commit(
      {
        orderId: o.id,
        expect: "created",
        transitions: [{ to: "initiated", detail: "PInitRes sent" }],
        xid: "ab".repeat(20),
        messages: [
          { from: "cardholder", to: "merchant", type: "purchaseInitRequest", der: Uint8Array.of(1, 2) },
        ],
        idempotency: { kind: "PInitReq", key: "01", requestHash: "h", response: Uint8Array.of(3) },
      },
      at,
    );
    await repo.close();
    const again = closedAtEnd(new SqliteRepository(file));
    expect((await again.orderByXid("ab".repeat(20)))?.state).toBe("initiated");
    expect((await again.history(o.id)).map((h) => h.state)).toEqual(["created", "initiated"]);
    expect((await again.messages(o.id))[0]).toMatchObject({ seq: 1, type: "purchaseInitRequest" });
    expect((await again.idempotency("PInitReq", "01"))?.response).toEqual(Uint8Array.of(3));
    await again.close();
  });

  test("issued XIDs: each stays outstanding, is taken once, and expired outstanding ones are dropped", async () => {
    const repo = closedAtEnd(new SqliteRepository(path.join(dir, "issued.db")));
    const o = await repo.createOrder(order, at);
    const purchase = {
      brandID: "Visa",
      bin: "411111",
      transIDs: "00",
      chall_C: "01",
      chall_M: "02",
      pInitRRPID: "03",
    };
    const issue = (xid: string, when: Date, dropOutstandingBefore: string) =>
      repo.commit({ orderId: o.id, issue: { xid, purchase, dropOutstandingBefore } }, when);
    await issue("aa", at, at.toISOString());
    await issue("bb", new Date(at.getTime() + 1000), at.toISOString());
    expect((await repo.issuedPurchase("aa"))?.orderId).toBe(o.id);
    expect((await repo.orderByXid("bb"))?.id).toBe(o.id);
    await repo.commit({ orderId: o.id, take: { xid: "bb", payer: "unsigned" } }, at);
    expect((await repo.issuedPurchase("bb"))?.takenBy).toBe("unsigned");
    await expect(repo.commit({ orderId: o.id, take: { xid: "bb", payer: "x" } }, at)).rejects.toThrow(
      ConcurrentChangeError,
    );
    expect([...(await repo.attemptsByPayer(o.id))]).toEqual([["unsigned", 1]]);
    // A later PInitRes drops "aa" (outstanding, issued before the cutoff), never the taken "bb".
    await issue("cc", new Date(at.getTime() + 5000), new Date(at.getTime() + 2000).toISOString());
    expect(await repo.issuedPurchase("aa")).toBeUndefined();
    expect(await repo.issuedPurchase("bb")).toBeDefined();
    expect(await repo.issuedPurchase("cc")).toBeDefined();
    await repo.close();
  });

  test("a store from before issued XIDs: each order's XID becomes its issued one, taken if a PReq reached it", async () => {
    const file = path.join(dir, "older.db");
    const repo = closedAtEnd(new SqliteRepository(file));
    const purchase = {
      brandID: "Visa",
      bin: "411111",
      transIDs: "00",
      chall_C: "01",
      chall_M: "02",
      pInitRRPID: "03",
    };
    const waiting = await repo.createOrder(order, at);
    const paid = await repo.createOrder(order, at);
    await repo.commit(
      { orderId: waiting.id, transitions: [{ to: "initiated", detail: "" }], xid: "a1", purchase },
      at,
    );
    await repo.commit(
      {
        orderId: paid.id,
        transitions: [
          { to: "initiated", detail: "" },
          { to: "purchaseRequested", detail: "" },
        ],
        xid: "b2",
        purchase,
      },
      at,
    );
    await repo.close();
    const raw = new Database(file);
    raw.exec("DROP TABLE issued_purchases");
    raw.close();
    const again = closedAtEnd(new SqliteRepository(file));
    expect(await again.issuedPurchase("a1")).toMatchObject({ orderId: waiting.id, purchase });
    expect((await again.issuedPurchase("a1"))?.takenBy).toBeUndefined();
    expect((await again.issuedPurchase("b2"))?.takenBy).toBe("earlier");
    await again.close();
  });

  test("orders waiting for the gateway: marked while a lifecycle request has no answer, in a store from before the marker too", async () => {
    const file = path.join(dir, "waiting.db");
    const repo = closedAtEnd(new SqliteRepository(file));
    const auth = { authRRPID: "aa", gateway: "g" };
    const capReqAmt = { currency: 392, amount: 5, amtExp10: 0 };
    const capture = { capRRPID: "cc", capReqAmt, at: at.toISOString() };
    const [waiting, answered, plain] = [
      await repo.createOrder(order, at),
      await repo.createOrder(order, at),
      await repo.createOrder(order, at),
    ];
    await repo.commit({ orderId: waiting.id, authorization: { ...auth, capture } }, at);
    await repo.commit({ orderId: answered.id, authorization: { ...auth, capture } }, at);
    await repo.commit(
      { orderId: answered.id, authorization: { ...auth, capture: { ...capture, capCode: "success" } } },
      at,
    );
    await repo.commit({ orderId: plain.id, authorization: auth }, at);
    expect((await repo.ordersWaitingForGateway()).map((o) => o.id)).toEqual([waiting.id]);
    const kept = {
      kind: "batchAdmin" as const,
      key: "k",
      fingerprint: "f",
      rrpid: "dd",
      request: Uint8Array.of(1),
      input: "{}",
    };
    await repo.recordKeyedGatewayRequest(kept, at);
    expect(await repo.unansweredKeyedGatewayRequests("batchAdmin")).toEqual([{ ...kept, answered: false }]);
    await repo.close();
    const raw = new Database(file);
    raw.exec(`DROP INDEX orders_waiting_for_gateway; ALTER TABLE orders DROP COLUMN waiting_for_gateway;
      ALTER TABLE keyed_gateway_requests DROP COLUMN input; ALTER TABLE keyed_gateway_requests DROP COLUMN answered_at`);
    raw.close();
    const again = closedAtEnd(new SqliteRepository(file));
    expect((await again.ordersWaitingForGateway()).map((o) => o.id)).toEqual([waiting.id]);
    // Kept before recovery knew them: left to the back office, as they were made.
    expect(await again.unansweredKeyedGatewayRequests("batchAdmin")).toEqual([]);
    expect(await again.keyedGatewayRequest("batchAdmin", "k")).toMatchObject({ rrpid: "dd", answered: true });
    await again.commit(
      { orderId: waiting.id, authorization: { ...auth, capture: { ...capture, capCode: "success" } } },
      at,
    );
    expect(await again.ordersWaitingForGateway()).toEqual([]);
    await again.recordKeyedGatewayRequest({ ...kept, key: "k2", rrpid: "ee" }, at);
    expect((await again.unansweredKeyedGatewayRequests("batchAdmin")).map((r) => r.key)).toEqual(["k2"]);
    await again.keyedGatewayRequestAnswered("batchAdmin", "ee", at);
    expect(await again.unansweredKeyedGatewayRequests("batchAdmin")).toEqual([]);
    await again.close();
  });

  test("a change expecting another state, or an illegal transition, writes nothing", async () => {
    const repo = closedAtEnd(new SqliteRepository(path.join(dir, "b.db")));
    const o = await repo.createOrder(order, at);
    const msg = { from: "cardholder" as const, to: "merchant" as const, type: "x", der: Uint8Array.of(1) };
    await expect(
      repo.commit(
        {
          orderId: o.id,
          expect: "initiated",
          transitions: [{ to: "purchaseRequested", detail: "" }],
          messages: [msg],
        },
        at,
      ),
    ).rejects.toThrow(ConcurrentChangeError);
    await expect(
      repo.commit({ orderId: o.id, transitions: [{ to: "authorized", detail: "" }], messages: [msg] }, at),
    ).rejects.toThrow(OrderStateError);
    expect((await repo.order(o.id))?.state).toBe("created");
    expect(await repo.messages(o.id)).toHaveLength(0);
    await repo.close();
  });

  test("a commit is on disk when it resolves: another connection sees the new state then", async () => {
    const file = path.join(dir, "c.db");
    const repo = closedAtEnd(new SqliteRepository(file));
    const o = await repo.createOrder(order, at);
    const other = new Database(file, { readonly: true });
    const state = () =>
      (other.prepare("SELECT state FROM orders WHERE id = ?").get(o.id) as { state: string }).state;
    // Another writer holds the lock, so the commit cannot reach the disk before the first check
    // (without it the writer thread may commit before this thread reads).
    const blocker = new Database(file);
    blocker.exec("BEGIN IMMEDIATE");
    let resolved = false;
    const pending = repo
      .commit({ orderId: o.id, expect: "created", transitions: [{ to: "initiated", detail: "" }] }, at)
      .then(() => {
        resolved = true;
      });
    await new Promise((r) => setTimeout(r, 50));
    expect(state()).toBe("created");
    expect(resolved).toBe(false);
    blocker.exec("COMMIT");
    blocker.close();
    await pending;
    expect(state()).toBe("initiated");
    other.close();
    await repo.close();
  });

  test("concurrent orders: distinct ids and LID-Ms, and every commit lands with its history and messages in order", async () => {
    const repo = closedAtEnd(new SqliteRepository(path.join(dir, "d.db")));
    const orders = await Promise.all(Array.from({ length: 20 }, () => repo.createOrder(order, at)));
    expect(new Set(orders.map((o) => o.id)).size).toBe(20);
    for (const o of orders) expect(o.lidM).toBe(lidMOf(o.id));
    const msg = (type: string) => ({
      from: "cardholder" as const,
      to: "merchant" as const,
      type,
      der: Uint8Array.of(7),
    });
    await Promise.all(
      orders.map((o) =>
        repo.commit(
          {
            orderId: o.id,
            expect: "created",
            transitions: [{ to: "initiated", detail: `for ${o.id}` }],
            xid: o.id.toString(16).padStart(40, "0"),
            messages: [msg("first"), msg("second")],
          },
          at,
        ),
      ),
    );
    for (const o of orders) {
      expect((await repo.orderByXid(o.id.toString(16).padStart(40, "0")))?.id).toBe(o.id);
      expect(await repo.history(o.id)).toEqual([
        { state: "created", at: at.toISOString(), detail: "order created" },
        { state: "initiated", at: at.toISOString(), detail: `for ${o.id}` },
      ]);
      expect((await repo.messages(o.id)).map((m) => [m.seq, m.type])).toEqual([
        [1, "first"],
        [2, "second"],
      ]);
    }
    await repo.close();
  });

  test("two changes racing from one state: exactly one applies, the other is refused whole", async () => {
    const repo = closedAtEnd(new SqliteRepository(path.join(dir, "e.db")));
    const o = await repo.createOrder(order, at);
    const change = (detail: string) =>
      repo.commit(
        {
          orderId: o.id,
          expect: "created",
          transitions: [{ to: "initiated", detail }],
          messages: [{ from: "cardholder", to: "merchant", type: detail, der: Uint8Array.of(1) }],
          idempotency: { kind: "PInitReq", key: detail, requestHash: detail, response: Uint8Array.of(2) },
        },
        at,
      );
    const outcomes = await Promise.allSettled([change("a"), change("b"), change("c")]);
    const won = outcomes.findIndex((r) => r.status === "fulfilled");
    expect(outcomes.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of outcomes)
      if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ConcurrentChangeError);
    const winner = ["a", "b", "c"][won];
    expect((await repo.history(o.id)).map((h) => h.detail)).toEqual(["order created", winner]);
    expect((await repo.messages(o.id)).map((m) => m.type)).toEqual([winner]);
    for (const key of ["a", "b", "c"])
      expect(await repo.idempotency("PInitReq", key)).toEqual(
        key === winner ? { orderId: o.id, requestHash: key, response: Uint8Array.of(2) } : undefined,
      );
    await repo.close();
  });

  test("a refused change among concurrent ones takes nothing of the others", async () => {
    const repo = closedAtEnd(new SqliteRepository(path.join(dir, "f.db")));
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => repo.createOrder(order, at)));
    const msg = { from: "merchant" as const, to: "cardholder" as const, type: "x", der: Uint8Array.of(1) };
    const outcomes = await Promise.allSettled([
      repo.commit({ orderId: a.id, expect: "created", transitions: [{ to: "initiated", detail: "" }] }, at),
      // b is not initiated: refused.
      repo.commit(
        {
          orderId: b.id,
          expect: "initiated",
          transitions: [{ to: "purchaseRequested", detail: "" }],
          messages: [msg],
        },
        at,
      ),
      repo.commit({ orderId: 999_999, messages: [msg] }, at),
      repo.commit({ orderId: c.id, messages: [msg] }, at),
    ]);
    expect(outcomes.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrentChangeError);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toMatch(/is created, not initiated/);
    expect((outcomes[2] as PromiseRejectedResult).reason.message).toMatch(/no order 999999/);
    expect((await repo.order(a.id))?.state).toBe("initiated");
    expect((await repo.order(b.id))?.state).toBe("created");
    expect(await repo.messages(b.id)).toHaveLength(0);
    expect(await repo.messages(c.id)).toHaveLength(1);
    await repo.close();
  });

  test("an in-memory repository makes the same checks on its own connection", async () => {
    const repo = closedAtEnd(new SqliteRepository(":memory:"));
    const o = await repo.createOrder(order, at);
    expect(o.lidM).toBe(lidMOf(o.id));
    await repo.commit(
      { orderId: o.id, expect: "created", transitions: [{ to: "initiated", detail: "" }] },
      at,
    );
    await expect(
      repo.commit({ orderId: o.id, expect: "created", transitions: [{ to: "initiated", detail: "" }] }, at),
    ).rejects.toThrow(ConcurrentChangeError);
    expect((await repo.history(o.id)).map((h) => h.state)).toEqual(["created", "initiated"]);
    await repo.close();
  });
});

describe("SqliteRepository: stored answers", () => {
  type Party = "cardholder" | "merchant" | "gateway";
  const message = (from: Party, to: Party, type: string, der: Uint8Array) => ({ from, to, type, der });
  /** Distinct bytes of a given size, so that no two answers (or messages) are equal by accident. */
  const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i) & 0xff);
  /** The idempotency row as stored, read on a connection of its own. */
  const rawRow = (file: string, kind: string, key: string) => {
    const raw = new Database(file, { readonly: true });
    try {
      return raw
        .prepare("SELECT order_id, response, response_seq FROM idempotency WHERE kind = ? AND key = ?")
        .get(kind, key) as { order_id: number; response: Buffer | null; response_seq: number | null };
    } finally {
      raw.close();
    }
  };
  const seqOf = async (repo: SqliteRepository, orderId: number, type: string) =>
    (await repo.messages(orderId)).find((m) => m.type === type)?.seq;

  test("a PInitRes or PRes sent in the same change is stored as a reference to its message row, and read back byte for byte", async () => {
    const file = path.join(dir, "answer-reference.db");
    const repo = closedAtEnd(new SqliteRepository(file));
    const o = await repo.createOrder(order, at);
    const pInitRes = bytes(8800, 1);
    await repo.commit(
      {
        orderId: o.id,
        expect: "created",
        transitions: [{ to: "initiated", detail: "" }],
        // The answer is not the change's last message: its seq is found all the same.
        messages: [
          message("cardholder", "merchant", "purchaseInitRequest", bytes(300, 2)),
          message("merchant", "cardholder", "purchaseInitResponse", pInitRes),
          message("merchant", "cardholder", "trailer", bytes(10, 3)),
        ],
        idempotency: { kind: "PInitReq", key: "p1", requestHash: "h1", response: pInitRes },
      },
      at,
    );
    expect(rawRow(file, "PInitReq", "p1")).toEqual({
      order_id: o.id,
      response: null,
      response_seq: await seqOf(repo, o.id, "purchaseInitResponse"),
    });
    expect(rawRow(file, "PInitReq", "p1").response_seq).toBe(2);
    expect((await repo.idempotency("PInitReq", "p1"))?.response).toEqual(pInitRes);

    // The PReq's row is kept unanswered first, then answered by the PRes (a copy of the message's
    // bytes, not the same array: compared by bytes).
    await repo.commit(
      {
        orderId: o.id,
        messages: [message("cardholder", "merchant", "purchaseRequest", bytes(6500, 4))],
        idempotency: { kind: "PReq", key: "p2", requestHash: "h2" },
      },
      at,
    );
    expect(await repo.idempotency("PReq", "p2")).toEqual({ orderId: o.id, requestHash: "h2" });
    const pRes = bytes(3100, 5);
    await repo.commit(
      {
        orderId: o.id,
        messages: [
          message("gateway", "merchant", "authorizationResponse", bytes(5200, 6)),
          message("merchant", "cardholder", "purchaseResponse", pRes),
        ],
        idempotency: { kind: "PReq", key: "p2", requestHash: "h2", response: Uint8Array.from(pRes) },
      },
      at,
    );
    expect(rawRow(file, "PReq", "p2")).toEqual({ order_id: o.id, response: null, response_seq: 6 });
    expect((await repo.messages(o.id))[5]).toMatchObject({ seq: 6, type: "purchaseResponse" });
    expect(await repo.idempotency("PReq", "p2")).toEqual({
      orderId: o.id,
      requestHash: "h2",
      response: pRes,
    });
    // Another request under the same key does not change the stored answer.
    await repo.commit(
      {
        orderId: o.id,
        messages: [message("merchant", "cardholder", "purchaseResponse", bytes(40, 7))],
        idempotency: { kind: "PReq", key: "p2", requestHash: "other", response: bytes(40, 7) },
      },
      at,
    );
    expect(rawRow(file, "PReq", "p2").response_seq).toBe(6);
    expect((await repo.idempotency("PReq", "p2"))?.response).toEqual(pRes);
    await repo.close();
    const again = closedAtEnd(new SqliteRepository(file));
    expect((await again.idempotency("PInitReq", "p1"))?.response).toEqual(pInitRes);
    expect((await again.idempotency("PReq", "p2"))?.response).toEqual(pRes);
    await again.close();
  });

  test("an answer that is none of the change's messages is stored inline and read back", async () => {
    const file = path.join(dir, "answer-inline.db");
    const repo = closedAtEnd(new SqliteRepository(file));
    const o = await repo.createOrder(order, at);
    const answer = bytes(500, 8);
    await repo.commit(
      {
        orderId: o.id,
        // Same length, other bytes: not the answer.
        messages: [message("cardholder", "merchant", "inquiryRequest", bytes(500, 9))],
        idempotency: { kind: "InqReq", key: "q1", requestHash: "h", response: answer },
      },
      at,
    );
    const row = rawRow(file, "InqReq", "q1");
    expect(row.response_seq).toBeNull();
    expect(new Uint8Array(row.response!)).toEqual(answer);
    expect(await repo.idempotency("InqReq", "q1")).toEqual({
      orderId: o.id,
      requestHash: "h",
      response: answer,
    });
    // An answer committed without any message is inline too.
    await repo.commit(
      { orderId: o.id, idempotency: { kind: "InqReq", key: "q2", requestHash: "h", response: answer } },
      at,
    );
    expect(rawRow(file, "InqReq", "q2").response_seq).toBeNull();
    expect((await repo.idempotency("InqReq", "q2"))?.response).toEqual(answer);
    await repo.close();
  });

  test("the same request answered for another order than its row's: the answer is copied inline, not a reference into the other order", async () => {
    const file = path.join(dir, "answer-other-order.db");
    const repo = closedAtEnd(new SqliteRepository(file));
    const [a, b] = [await repo.createOrder(order, at), await repo.createOrder(order, at)];
    const filler = message("cardholder", "merchant", "filler", bytes(20, 10));
    await repo.commit({ orderId: a.id, messages: [filler, filler, filler] }, at);
    await repo.commit({ orderId: a.id, idempotency: { kind: "PReq", key: "k", requestHash: "h" } }, at);
    const answer = bytes(700, 11);
    await repo.commit(
      {
        orderId: b.id,
        messages: [message("merchant", "cardholder", "purchaseResponse", answer)],
        idempotency: { kind: "PReq", key: "k", requestHash: "h", response: answer },
      },
      at,
    );
    const row = rawRow(file, "PReq", "k");
    expect(row).toMatchObject({ order_id: a.id, response_seq: null });
    expect(new Uint8Array(row.response!)).toEqual(answer);
    expect(await repo.idempotency("PReq", "k")).toEqual({
      orderId: a.id,
      requestHash: "h",
      response: answer,
    });
    await repo.close();
  });

  test("a store from before references: its inline answers are still served and new answers become references", async () => {
    const file = path.join(dir, "answer-older.db");
    const repo = closedAtEnd(new SqliteRepository(file));
    const o = await repo.createOrder(order, at);
    await repo.close();
    const old = bytes(900, 12);
    const raw = new Database(file);
    raw.exec(`DROP TABLE idempotency;
      CREATE TABLE idempotency (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        order_id INTEGER NOT NULL REFERENCES orders(id),
        request_hash TEXT NOT NULL,
        response BLOB,
        PRIMARY KEY (kind, key)
      )`);
    raw
      .prepare("INSERT INTO idempotency (kind, key, order_id, request_hash, response) VALUES (?, ?, ?, ?, ?)")
      .run("PInitReq", "old", o.id, "h0", old);
    raw
      .prepare(
        "INSERT INTO idempotency (kind, key, order_id, request_hash, response) VALUES (?, ?, ?, ?, NULL)",
      )
      .run("PReq", "waiting", o.id, "h1");
    raw.close();

    const again = closedAtEnd(new SqliteRepository(file));
    expect(await again.idempotency("PInitReq", "old")).toEqual({
      orderId: o.id,
      requestHash: "h0",
      response: old,
    });
    expect(await again.idempotency("PReq", "waiting")).toEqual({ orderId: o.id, requestHash: "h1" });
    const pRes = bytes(3100, 13);
    // An old unanswered row answered now, and a new row: both references.
    await again.commit(
      {
        orderId: o.id,
        messages: [message("merchant", "cardholder", "purchaseResponse", pRes)],
        idempotency: { kind: "PReq", key: "waiting", requestHash: "h1", response: pRes },
      },
      at,
    );
    const inqRes = bytes(1200, 14);
    await again.commit(
      {
        orderId: o.id,
        messages: [
          message("cardholder", "merchant", "inquiryRequest", bytes(100, 15)),
          message("merchant", "cardholder", "inquiryResponse", inqRes),
        ],
        idempotency: { kind: "InqReq", key: "new", requestHash: "h2", response: inqRes },
      },
      at,
    );
    expect(rawRow(file, "PReq", "waiting")).toEqual({ order_id: o.id, response: null, response_seq: 1 });
    expect(rawRow(file, "InqReq", "new")).toEqual({ order_id: o.id, response: null, response_seq: 3 });
    expect((await again.idempotency("PReq", "waiting"))?.response).toEqual(pRes);
    expect((await again.idempotency("InqReq", "new"))?.response).toEqual(inqRes);
    expect((await again.idempotency("PInitReq", "old"))?.response).toEqual(old);
    await again.close();
  });

  test("orders committing in one group-commit batch each reference their own message", async () => {
    const file = path.join(dir, "answer-batch.db");
    const repo = closedAtEnd(new SqliteRepository(file));
    const orders = await Promise.all(Array.from({ length: 12 }, () => repo.createOrder(order, at)));
    // Order k holds k messages already, so the orders' seqs differ.
    await Promise.all(
      orders.map((o, k) =>
        repo.commit(
          {
            orderId: o.id,
            messages: Array.from({ length: k }, (_, j) =>
              message("cardholder", "merchant", "filler", bytes(8, j)),
            ),
          },
          at,
        ),
      ),
    );
    const stats = (repo as unknown as { writer: { stats: { writes: number; commits: number } } }).writer
      .stats;
    const before = { ...stats };
    const answers = orders.map((_, k) => bytes(1000 + k, 100 + k));
    await Promise.all(
      orders.map((o, k) =>
        repo.commit(
          {
            orderId: o.id,
            expect: "created",
            transitions: [{ to: "initiated", detail: "" }],
            messages: [
              message("cardholder", "merchant", "purchaseInitRequest", bytes(50, 200 + k)),
              message("merchant", "cardholder", "purchaseInitResponse", answers[k]),
            ],
            idempotency: { kind: "PInitReq", key: `b${k}`, requestHash: `h${k}`, response: answers[k] },
          },
          at,
        ),
      ),
    );
    // The writes shared COMMITs: several savepoints in one transaction.
    expect(stats.writes - before.writes).toBe(orders.length);
    expect(stats.commits - before.commits).toBeLessThan(orders.length);
    for (const [k, o] of orders.entries()) {
      expect(rawRow(file, "PInitReq", `b${k}`)).toEqual({
        order_id: o.id,
        response: null,
        response_seq: k + 2,
      });
      expect(await repo.idempotency("PInitReq", `b${k}`)).toEqual({
        orderId: o.id,
        requestHash: `h${k}`,
        response: answers[k],
      });
    }
    await repo.close();
  });
});
