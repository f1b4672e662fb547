import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
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
  test("a commit lands whole and survives reopening the file (WAL)", async () => {
    const file = path.join(dir, "a.db");
    const repo = new SqliteRepository(file);
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
    const again = new SqliteRepository(file);
    expect((await again.orderByXid("ab".repeat(20)))?.state).toBe("initiated");
    expect((await again.history(o.id)).map((h) => h.state)).toEqual(["created", "initiated"]);
    expect((await again.messages(o.id))[0]).toMatchObject({ seq: 1, type: "purchaseInitRequest" });
    expect((await again.idempotency("PInitReq", "01"))?.response).toEqual(Uint8Array.of(3));
    await again.close();
  });

  test("a change expecting another state, or an illegal transition, writes nothing", async () => {
    const repo = new SqliteRepository(path.join(dir, "b.db"));
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
});
