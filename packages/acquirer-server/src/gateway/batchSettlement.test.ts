/**
 * Batches as a settlement record: captures, capture reversals, credits and credit reversals are
 * each an item of a batch (NewBatchID, or the open batch), its totals count and sum sales and
 * credits, settlement is final, and a property over random sequences holds the ledger to a model
 * kept beside it.
 */
import { type CapRevOrCredKind, nodeProvider, type schema, toHex } from "@setlab/protocol";
import { closedAtEnd } from "@setlab/runtime/testing";
import Database from "better-sqlite3";
import fc from "fast-check";
import type { BatchItemRow } from "../store/batchLedger";
import { GatewayStore } from "../store/gatewayStore";
import { type GatewayTestKit, useGatewayTestKit } from "../testing/gatewayTestKit";
import { type ApprovedAuthorization, type CapRevOrCredItem, jpy, labMerID } from "../testing/merchantSide";
import { testStoreOptions } from "../testing/testStoreOptions";
import { settlementReport, settlementTable } from "./settlementReport";

const p = nodeProvider();
const kit = useGatewayTestKit(p);

type Gw = ReturnType<GatewayTestKit["gateway"]>;
const account = "visa-approve";

async function capture(g: Gw, a: ApprovedAuthorization, amount: number, batchID?: number) {
  const sent = await kit.merchant.capReq([{ a, amount, ...(batchID !== undefined ? { batchID } : {}) }]);
  const [item] = (await kit.merchant.capRes((await g.gw.handle(sent.bytes)).response, sent)).items;
  return item.payload;
}

/** The item's answer: its code ("done" for success of the amount asked) and where it was booked. */
async function act(g: Gw, kind: CapRevOrCredKind, item: CapRevOrCredItem) {
  const sent = await kit.merchant.capRevOrCredReq(kind, [item]);
  const [answered] = (await kit.merchant.capRevOrCredRes((await g.gw.handle(sent.bytes)).response, sent))
    .items;
  const { capRevOrCredCode, batchID, batchSequenceNum } = answered.payload;
  return {
    code: answered.verdict === "done" ? "done" : capRevOrCredCode,
    place: batchID === undefined ? undefined : [batchID, batchSequenceNum],
  };
}

async function batchAdmin(g: Gw, operation: schema.BatchOperation, batchID = 0) {
  const sent = await kit.merchant.batchAdminReq(operation, batchID);
  return (await kit.merchant.batchAdminRes((await g.gw.handle(sent.bytes)).response, sent)).data;
}

const ledger = ({ store }: Gw) => ({ held: store.account(account)?.held, posted: store.postedOf(account) });
const kinds = (g: Gw, batchID: number) => g.store.batchItems(labMerID, batchID).map((i) => [i.seq, i.kind]);

describe("gateway: capture reversals, credits and credit reversals in batches", () => {
  it("each goes into the open batch with its own BatchSequenceNum, stated in its answer; the totals, the status and the settlement report count sales and credits", async () => {
    const g = kit.gateway();
    const [a, c] = [await kit.merchant.authorize(g, 1000), await kit.merchant.authorize(g, 500)];
    expect((await capture(g, a, 1000)).batchSequenceNum).toBe(1);
    expect((await capture(g, c, 500)).batchSequenceNum).toBe(2);
    expect(await act(g, "credit", { a, captured: 1000, amount: 300 })).toEqual({
      code: "done",
      place: [1, 3],
    });
    expect(await act(g, "creditReversal", { a, captured: 1000, amount: 100 })).toEqual({
      code: "done",
      place: [1, 4],
    });
    expect(await act(g, "captureReversal", { a: c, captured: 500 })).toEqual({ code: "done", place: [1, 5] });
    // a refused item is in no batch
    expect(await act(g, "credit", { a, captured: 1000, amount: 801 })).toEqual({
      code: "amountError",
      place: undefined,
    });
    expect(kinds(g, 1)).toEqual([
      [1, "capture"],
      [2, "capture"],
      [3, "credit"],
      [4, "creditReversal"],
      [5, "captureReversal"],
    ]);
    expect(g.store.batchTotals(labMerID, 1)).toEqual([
      { brand: "Visa", currency: 392, salesCount: 3, salesAmount: 1000, creditCount: 2, creditAmount: 200 },
    ]);
    expect(ledger(g)).toEqual({ held: 0, posted: 1000 - 200 });
    const closed = await batchAdmin(g, "close");
    expect(closed.batchStatus).toMatchObject({
      transactionCount: 5,
      salesAmount: jpy(1000),
      creditAmount: jpy(200),
    });
    expect(closed.batchTotals).toEqual([
      { brandID: "Visa", salesCount: 3, salesAmount: jpy(1000), creditCount: 2, creditAmount: jpy(200) },
    ]);
    const batch = g.store.batch(labMerID, 1)!;
    const report = settlementReport(
      { ...batch, closed: batch.closed! },
      g.store.batchTotals(labMerID, 1),
      g.store.batchItems(labMerID, 1),
    );
    expect(report.totals[0]).toMatchObject({
      sales: { minorUnits: 1000 },
      credits: { minorUnits: 200 },
      net: { minorUnits: 800, amount: "JPY 800" },
    });
    expect(report.items.map((i) => [i.kind, i.minorUnits, i.net.minorUnits])).toEqual([
      ["capture", 1000, 1000],
      ["capture", 500, 500],
      ["credit", 300, -300],
      ["creditReversal", 100, 100],
      ["captureReversal", 500, -500],
    ]);
    expect(report.items[2].authRRPID).toBe(toHex(a.authRRPID));
    const table = settlementTable(report);
    expect(table).toMatch(/Visa\s+3\s+JPY 1000\s+2\s+JPY 200\s+JPY 800/);
    expect(table).toMatch(/3\s+credit\s+Visa\s+JPY -300/);
    expect(table).toMatch(/5\s+captureReversal\s+Visa\s+JPY -500/);
  });

  it("NewBatchID: the item goes into the batch named; an unknown batch is batchUnknown, a closed one batchClosed, for each kind, nothing moved", async () => {
    const g = kit.gateway();
    const [a, c] = [await kit.merchant.authorize(g, 1000), await kit.merchant.authorize(g, 500)];
    await capture(g, a, 1000);
    await act(g, "credit", { a, captured: 1000, amount: 100 });
    await batchAdmin(g, "close");
    expect((await capture(g, c, 500)).batchID).toBe(2);
    expect(await act(g, "credit", { a, captured: 1000, amount: 200, newBatchID: 2 })).toEqual({
      code: "done",
      place: [2, 2],
    });
    const before = { ledger: ledger(g), a: g.store.captureStanding(toHex(a.authRRPID)) };
    const refusals: [CapRevOrCredKind, CapRevOrCredItem][] = [
      ["credit", { a, captured: 1000, amount: 10 }],
      ["creditReversal", { a, captured: 1000, amount: 10 }],
      ["captureReversal", { a: c, captured: 500 }],
    ];
    for (const [kind, item] of refusals) {
      expect([kind, await act(g, kind, { ...item, newBatchID: 9 })]).toEqual([
        kind,
        { code: "batchUnknown", place: undefined },
      ]);
      expect([kind, await act(g, kind, { ...item, newBatchID: 1 })]).toEqual([
        kind,
        { code: "batchClosed", place: undefined },
      ]);
    }
    expect({ ledger: ledger(g), a: g.store.captureStanding(toHex(a.authRRPID)) }).toEqual(before);
    expect(kinds(g, 2)).toEqual([
      [1, "capture"],
      [2, "credit"],
    ]);
    expect(await act(g, "captureReversal", { a: c, captured: 500, newBatchID: 2 })).toEqual({
      code: "done",
      place: [2, 3],
    });
  });

  it("settlement is final: a capture in a closed batch is not reversed, a settled credit is not taken back (originalProcessed); a credit goes into the next batch, opened by its write, and is reversed there", async () => {
    const g = kit.gateway();
    const [a, d] = [await kit.merchant.authorize(g, 1000), await kit.merchant.authorize(g, 400)];
    await capture(g, a, 1000);
    await capture(g, d, 400);
    await act(g, "credit", { a, captured: 1000, amount: 200 });
    await batchAdmin(g, "close");
    const settled = g.store.batchItems(labMerID, 1);
    const before = ledger(g);
    expect((await act(g, "captureReversal", { a: d, captured: 400 })).code).toBe("originalProcessed");
    expect((await act(g, "creditReversal", { a, captured: 1000, amount: 1 })).code).toBe("originalProcessed");
    expect(ledger(g)).toEqual(before);
    expect(g.store.openBatch(labMerID)).toBeUndefined();
    expect(await act(g, "credit", { a, captured: 1000, amount: 100 })).toEqual({
      code: "done",
      place: [2, 1],
    });
    expect((await act(g, "creditReversal", { a, captured: 1000, amount: 101 })).code).toBe("amountError");
    expect(await act(g, "creditReversal", { a, captured: 1000, amount: 100 })).toEqual({
      code: "done",
      place: [2, 2],
    });
    expect((await act(g, "creditReversal", { a, captured: 1000, amount: 1 })).code).toBe("originalProcessed");
    expect(g.store.batchItems(labMerID, 1)).toEqual(settled);
    expect(g.store.batchTotals(labMerID, 2)).toEqual([
      { brand: "Visa", currency: 392, salesCount: 0, salesAmount: 0, creditCount: 2, creditAmount: 0 },
    ]);
  });

  it("the ledger refuses a credit's batch item in a closed batch whatever the caller decided: nothing of the write is kept", async () => {
    const g = kit.gateway();
    const a = await kit.merchant.authorize(g, 1000);
    await capture(g, a, 1000);
    await batchAdmin(g, "close");
    const authRRPID = toHex(a.authRRPID);
    const created = new Date().toISOString();
    const reqDate = kit.merchant.newDate().toISOString();
    const item: BatchItemRow = {
      merchantID: labMerID,
      batchID: 1,
      seq: 2,
      kind: "credit",
      authRRPID,
      reqDate,
      brand: "Visa",
      amount: 100,
      currency: 392,
      created,
    };
    const write = g.store.recordCapRevOrCred(
      {
        rrpid: "cd".repeat(20),
        kind: "credit",
        merchantID: labMerID,
        requestHash: "x",
        response: new Uint8Array(1),
        created,
      },
      [{ authRRPID, kind: "credit", reqDate, amount: 100, currency: 392, cardId: account }],
      { merchantID: labMerID, items: [item] },
    );
    await expect(write).rejects.toThrow(/batch is closed/);
    expect(g.store.capRevOrCredRequest("cd".repeat(20))).toBeUndefined();
    expect(g.store.captureStanding(authRRPID)?.credited).toBe(0n);
    expect(ledger(g)).toEqual({ held: 0, posted: 1000 });
  });

  it("a database whose batch items were captures only (the shape before) opens with them kept as captures", async () => {
    const file = kit.dbFile();
    const g = kit.gateway({ file });
    const a = await kit.merchant.authorize(g, 1000);
    await capture(g, a, 1000);
    await g.store.close();
    const db = new Database(file);
    db.exec(`DROP TABLE batch_items;
      CREATE TABLE batch_items (
        auth_rrpid TEXT PRIMARY KEY REFERENCES captures(auth_rrpid), merchant_id TEXT NOT NULL,
        batch_id INTEGER NOT NULL, seq INTEGER NOT NULL CHECK (seq > 0), brand TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0), currency INTEGER NOT NULL, created TEXT NOT NULL,
        UNIQUE (merchant_id, batch_id, seq),
        FOREIGN KEY (merchant_id, batch_id) REFERENCES batches(merchant_id, batch_id));`);
    db.prepare("INSERT INTO batch_items VALUES (?, ?, 1, 1, 'Visa', 1000, 392, ?)").run(
      toHex(a.authRRPID),
      labMerID,
      new Date().toISOString(),
    );
    db.close();
    const h = kit.gateway({ file });
    expect(kinds(h, 1)).toEqual([[1, "capture"]]);
    expect(await act(h, "credit", { a, captured: 1000, amount: 100 })).toEqual({
      code: "done",
      place: [1, 2],
    });
    expect(h.store.batchTotals(labMerID, 1)).toEqual([
      { brand: "Visa", currency: 392, salesCount: 1, salesAmount: 1000, creditCount: 1, creditAmount: 100 },
    ]);
    await h.store.close();
    const again = closedAtEnd(GatewayStore.open(file, testStoreOptions));
    expect(again.batchItems(labMerID, 1).map((i) => i.kind)).toEqual(["capture", "credit"]);
    await again.close();
  });
});

/** The model of one authorization, kept beside the gateway's ledger. */
interface ModelAuth {
  readonly authorized: number;
  captured?: { amount: number; batchID: number };
  reversed: boolean;
  /** Credit items booked against it, with their batch: credits positive, credit reversals negative. */
  credits: { amount: number; batchID: number }[];
}

const op = fc.oneof(
  fc.record({
    op: fc.constant("capture" as const),
    i: fc.nat(2),
    // full, partial, or over what was authorized
    amount: fc.constantFrom(1000, 600, 1, 1001),
  }),
  fc.record({
    op: fc.constantFrom<CapRevOrCredKind>("credit", "creditReversal", "captureReversal"),
    i: fc.nat(2),
    amount: fc.integer({ min: 1, max: 1100 }),
    // the open batch, or named: the last one, the one before, one that does not exist
    batch: fc.constantFrom("open", "last", "previous", "unknown"),
  }),
  fc.record({ op: fc.constant("close" as const) }),
);

describe("property: random sequences of captures, credits, reversals and closes against a model", () => {
  it("batch totals equal the sum of their items; captured <= authorized; credited <= captured; no hold left after a reversal; the issuer's balance is its postings; a closed batch never changes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 14 }), async (ops) => {
        const g = kit.gateway();
        const auths = [
          await kit.merchant.authorize(g, 1000),
          await kit.merchant.authorize(g, 1000),
          await kit.merchant.authorize(g, 1000),
        ];
        const model: ModelAuth[] = auths.map(() => ({ authorized: 1000, reversed: false, credits: [] }));
        const batches: { closed: boolean }[] = [];
        const closedItems = new Map<number, BatchItemRow[]>();
        const openBatch = () => {
          const n = batches.findIndex((b) => !b.closed);
          return n < 0 ? undefined : n + 1;
        };
        /** The batch an item lands in, or why not; opening one when none is open. */
        const placeOf = (asked: number | undefined): number | "batchUnknown" | "batchClosed" => {
          if (asked !== undefined) {
            if (asked < 1 || asked > batches.length) return "batchUnknown";
            return batches[asked - 1].closed ? "batchClosed" : asked;
          }
          return openBatch() ?? batches.length + 1;
        };
        const openIfNew = (batchID: number) => {
          if (batchID > batches.length) batches.push({ closed: false });
        };
        const standing = (m: ModelAuth) => m.credits.reduce((n, c) => n + c.amount, 0);
        for (const o of ops) {
          if (o.op === "close") {
            const current = openBatch();
            const answer = await batchAdmin(g, "close");
            expect(answer.batchAdminCode).toBe(current === undefined ? "unknownBatch" : "success");
            if (current !== undefined) {
              batches[current - 1].closed = true;
              closedItems.set(current, g.store.batchItems(labMerID, current));
            }
          } else if (o.op === "capture") {
            const m = model[o.i];
            const payload = await capture(g, auths[o.i], o.amount);
            const may = m.captured === undefined && o.amount <= m.authorized;
            expect([o, payload.capCode]).toEqual([o, may ? "success" : payload.capCode]);
            expect([o, payload.capCode === "success"]).toEqual([o, may]);
            if (may) {
              const batchID = placeOf(undefined) as number;
              openIfNew(batchID);
              expect([payload.batchID]).toEqual([batchID]);
              m.captured = { amount: o.amount, batchID };
            }
          } else {
            const m = model[o.i];
            const last = batches.length;
            const named = { open: undefined, last, previous: Math.max(0, last - 1), unknown: last + 5 };
            const asked = named[o.batch];
            const captured = m.captured?.amount ?? 1000;
            const item: CapRevOrCredItem = {
              a: auths[o.i],
              captured,
              ...(o.op === "captureReversal" ? {} : { amount: o.amount }),
              ...(asked !== undefined ? { newBatchID: asked } : {}),
            };
            const got = await act(g, o.op, item);
            // What the gateway may do, worked out independently of judgeAgainstCapture.
            const open = openBatch();
            const openCredit = m.credits.filter((c) => c.batchID === open).reduce((n, c) => n + c.amount, 0);
            const judged =
              m.captured !== undefined &&
              !m.reversed &&
              (o.op === "credit"
                ? o.amount <= m.captured.amount - standing(m)
                : o.op === "creditReversal"
                  ? o.amount <= standing(m) && o.amount <= openCredit
                  : standing(m) === 0 && m.captured.batchID === open);
            const place = judged ? placeOf(asked) : undefined;
            const may = typeof place === "number";
            expect([o, got.code === "done"]).toEqual([o, may]);
            if (typeof place === "string") expect([o, got.code]).toEqual([o, place]);
            if (may) {
              openIfNew(place);
              expect([o, got.place?.[0]]).toEqual([o, place]);
              if (o.op === "credit") m.credits.push({ amount: o.amount, batchID: place });
              if (o.op === "creditReversal") m.credits.push({ amount: -o.amount, batchID: place });
              if (o.op === "captureReversal") m.reversed = true;
            }
          }
          // The invariants, after every step.
          for (let batchID = 1; batchID <= batches.length; batchID++) {
            const items = g.store.batchItems(labMerID, batchID);
            const sum = (k: readonly string[]) =>
              items
                .filter((i) => k.includes(i.kind))
                .reduce((n, i) => n + (i.kind.endsWith("Reversal") ? -i.amount : i.amount), 0);
            const count = (k: readonly string[]) => items.filter((i) => k.includes(i.kind)).length;
            const sales = ["capture", "captureReversal"];
            const credits = ["credit", "creditReversal"];
            const totals = g.store.batchTotals(labMerID, batchID);
            expect(totals).toEqual(
              items.length === 0
                ? []
                : [
                    {
                      brand: "Visa",
                      currency: 392,
                      salesCount: count(sales),
                      salesAmount: sum(sales),
                      creditCount: count(credits),
                      creditAmount: sum(credits),
                    },
                  ],
            );
            expect(sum(sales)).toBeGreaterThanOrEqual(0);
            expect(sum(credits)).toBeGreaterThanOrEqual(0);
            expect(items.map((i) => i.seq)).toEqual(items.map((_, n) => n + 1));
            const frozen = closedItems.get(batchID);
            if (frozen) expect(items).toEqual(frozen);
          }
          let posted = 0;
          let held = 0;
          for (const [n, m] of model.entries()) {
            const standingOnRecord = g.store.captureStanding(toHex(auths[n].authRRPID));
            if (m.captured === undefined) {
              expect(standingOnRecord).toBeUndefined();
              held += m.authorized;
              continue;
            }
            expect(standingOnRecord!.amount).toBe(BigInt(m.captured.amount));
            expect(m.captured.amount).toBeLessThanOrEqual(m.authorized);
            const credited = standingOnRecord!.credited - standingOnRecord!.creditReversed;
            expect(credited).toBe(BigInt(standing(m)));
            expect(credited >= 0n && credited <= standingOnRecord!.amount).toBe(true);
            expect(standingOnRecord!.reversed).toBe(m.reversed);
            posted += m.reversed ? 0 : m.captured.amount - standing(m);
          }
          // A capture ends the hold and a reversal never brings it back.
          expect(ledger(g)).toEqual({ held, posted });
        }
        await g.store.close();
      }),
      { numRuns: 25 },
    );
  });
});
