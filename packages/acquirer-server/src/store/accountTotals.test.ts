import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closedAtEnd } from "@setlab/runtime/testing";
import Database from "better-sqlite3";
import fc from "fast-check";
import { testStoreOptions } from "../testing/testStoreOptions";
import { migrateAccountTotals, selectAccountTotals, selectFullHolds } from "./accountTotals";
import { GatewayStore } from "./gatewayStore";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-totals-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cards = ["visa-a", "visa-b"] as const;
const accounts = cards.map((cardId, i) => ({
  cardId,
  brand: "Visa",
  pan: `411111000000000${i * 2}`,
  expiry: "209912",
  outcome: "approve",
  currency: 392,
  creditLimit: 1_000_000,
}));
const minute = 60_000;
const hex = (n: number) => n.toString(16).padStart(40, "0");
const bytes = Uint8Array.of(0x30, 0);

type Op =
  | { op: "auth"; card: 0 | 1; amount: number; holdMinutes: number | null; sale: boolean }
  | { op: "capture"; pick: number; part: number }
  | { op: "release"; pick: number }
  | { op: "reverse"; pick: number; part: number }
  | { op: "capRevOrCred"; pick: number; kind: "captureReversal" | "credit" | "creditReversal"; part: number }
  | { op: "clock"; minutes: number }
  | { op: "reopen" };

const pick = fc.nat(50);
const part = fc.double({ min: 0, max: 1, noNaN: true });
const ops: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("auth" as const),
      card: fc.constantFrom(0 as const, 1 as const),
      amount: fc.integer({ min: 1, max: 900 }),
      holdMinutes: fc.option(fc.integer({ min: -20, max: 60 })),
      sale: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("capture" as const), pick, part }) },
  fc.record({ op: fc.constant("release" as const), pick }),
  fc.record({ op: fc.constant("reverse" as const), pick, part }),
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("capRevOrCred" as const),
      pick,
      kind: fc.constantFrom("captureReversal" as const, "credit" as const, "creditReversal" as const),
      part,
    }),
  },
  // The clock mostly runs on, sometimes is set back.
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("clock" as const), minutes: fc.integer({ min: -30, max: 90 }) }),
  },
  fc.record({ op: fc.constant("reopen" as const) }),
);

/** Apply one operation as the gateway would; a write the store refuses is part of the sequence too. */
async function apply(
  store: GatewayStore,
  op: Op,
  now: Date,
  auths: string[],
  seq: () => number,
): Promise<void> {
  const created = now.toISOString();
  const target = auths.length > 0 && "pick" in op ? auths[op.pick % auths.length]! : undefined;
  const auth = target ? store.authorization(target) : undefined;
  const share = (of: number, p: number) => Math.max(1, Math.round(of * p));
  switch (op.op) {
    case "auth": {
      const id = hex(seq());
      auths.push(id);
      const cardId = cards[op.card];
      await store.recordAuthorization(
        {
          authRRPID: id,
          xid: id,
          merchantID: "M",
          brand: "Visa",
          amount: op.amount,
          currency: 392,
          amtExp10: 0,
          authCode: "approved",
          held: op.amount,
          ...(op.holdMinutes !== null
            ? { holdUntil: new Date(now.getTime() + op.holdMinutes * minute).toISOString() }
            : {}),
          cardId,
          requestHash: id,
          response: bytes,
          created,
        },
        op.sale ? { authRRPID: id, amount: op.amount, currency: 392, cardId, created } : undefined,
      );
      return;
    }
    case "capture": {
      if (!auth) return;
      const capRRPID = hex(seq());
      await store.recordCapture({ capRRPID, merchantID: "M", requestHash: "00", response: bytes, created }, [
        {
          authRRPID: auth.authRRPID,
          capRRPID,
          amount: share(auth.amount, op.part),
          currency: 392,
          cardId: auth.cardId!,
          created,
        },
      ]);
      return;
    }
    case "release":
      if (auth) await store.releaseHold(auth.authRRPID, now);
      return;
    case "reverse":
      if (!auth) return;
      await store.recordAuthReversal(
        {
          authRevRRPID: hex(seq()),
          authRRPID: auth.authRRPID,
          merchantID: "M",
          requestHash: "00",
          authRevCode: "approved",
          response: bytes,
          created,
        },
        { from: auth.held, to: Math.floor(auth.held * op.part) },
      );
      return;
    case "capRevOrCred": {
      const capture = auth && store.capture(auth.authRRPID);
      if (!capture) return;
      const rrpid = hex(seq());
      await store.recordCapRevOrCred(
        { rrpid, kind: op.kind, merchantID: "M", requestHash: "00", response: bytes, created },
        [
          {
            authRRPID: auth.authRRPID,
            kind: op.kind,
            reqDate: `${created}#${rrpid}`,
            amount: op.kind === "captureReversal" ? capture.amount : share(capture.amount, op.part),
            currency: 392,
            cardId: auth.cardId!,
          },
        ],
      );
      return;
    }
  }
}

describe("account running totals", () => {
  it("property: after any sequence of holds, captures, releases, reversals, credits, lapses, clock changes and reopens, every lookup equals the full sums", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(ops, { minLength: 5, maxLength: 30 }), async (sequence) => {
        const file = path.join(dir, `p${run++}.sqlite`);
        let store = closedAtEnd(GatewayStore.open(file, testStoreOptions));
        store.seedAccounts(accounts);
        let now = new Date("2031-01-01T00:00:00.000Z");
        let n = 0;
        const auths: string[] = [];
        try {
          for (const op of sequence) {
            if (op.op === "clock") now = new Date(now.getTime() + op.minutes * minute);
            else if (op.op === "reopen") {
              await store.close();
              store = closedAtEnd(GatewayStore.open(file, testStoreOptions));
            } else await apply(store, op, now, auths, () => ++n).catch(() => undefined);
            // Before, at and after the holds' ends: the running totals and the full sums agree.
            for (const offset of [-45, -1, 0, 1, 15, 61, 24 * 60])
              for (const card of cards) {
                const at = new Date(now.getTime() + offset * minute);
                const { held, posted } = store.account(card, at)!;
                expect({ card, at, held, posted }).toEqual({ card, at, ...store.fullSums(card, at) });
              }
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 12 },
    );
  });

  it("a store from before the totals gets them on open, from its full sums, holds already lapsed left out", async () => {
    const file = path.join(dir, "old.sqlite");
    const s = closedAtEnd(GatewayStore.open(file, testStoreOptions));
    s.seedAccounts(accounts);
    const now = new Date();
    let n = 0;
    const auths: string[] = [];
    for (const op of [
      { op: "auth", card: 0, amount: 300, holdMinutes: 30, sale: false },
      { op: "auth", card: 0, amount: 200, holdMinutes: -5, sale: false },
      { op: "auth", card: 0, amount: 50, holdMinutes: null, sale: true },
      { op: "auth", card: 1, amount: 70, holdMinutes: null, sale: false },
      { op: "capRevOrCred", pick: 2, kind: "credit", part: 0.5 },
    ] as Op[])
      await apply(s, op, now, auths, () => ++n);
    await s.close();
    // The shape before: no totals table, no triggers.
    const db = new Database(file);
    for (const { name } of db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'account_totals%'")
      .all() as { name: string }[])
      db.exec(`DROP TRIGGER ${name}`);
    db.exec("DROP TABLE account_totals");
    db.close();
    const again = closedAtEnd(GatewayStore.open(file, testStoreOptions));
    expect(again.account("visa-a")).toMatchObject({ held: 300, posted: 25 });
    expect(again.account("visa-b")).toMatchObject({ held: 70, posted: 0 });
    // Retired up to the open: a question about an earlier time is still answered exactly.
    expect(again.account("visa-a", new Date(now.getTime() - 10 * minute))).toMatchObject({ held: 500 });
    await again.close();
  });

  it("the lookup reads the account's totals row and an index range of its ended holds, never a scan of its history", () => {
    const s = closedAtEnd(GatewayStore.open(":memory:", testStoreOptions));
    const db = (s as unknown as { db: Database.Database }).db;
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${selectAccountTotals}`).all({ card: "x", at: "y" }) as {
        detail: string;
      }[]
    ).map((r) => r.detail);
    const holdRange =
      "SEARCH a USING INDEX authorizations_holds (card_id=? AND hold_until>? AND hold_until<?)";
    expect(plan).toContain("SEARCH account_totals USING INDEX sqlite_autoindex_account_totals_1 (card_id=?)");
    // Both ranges, after retired_until and before it, are index ranges; each captured check one key.
    expect(plan.filter((d) => d === holdRange)).toHaveLength(2);
    expect(plan.filter((d) => /^SCAN|postings/.test(d))).toEqual([]);
    // Retiring the ended holds (the authorization trigger's statement, and the migration's) too.
    const retire = (
      db.prepare(`EXPLAIN QUERY PLAN ${migrateAccountTotals[1]}`).all({ now: "x" }) as { detail: string }[]
    ).map((r) => r.detail);
    expect(retire.filter((d) => d === holdRange)).toHaveLength(1);
    expect(retire.filter((d) => /^SCAN (a|authorizations|postings|credit_postings)\b/.test(d))).toEqual([]);
    // The full sums, by contrast, read the card's whole history (what the totals replace).
    const full = (
      db.prepare(`EXPLAIN QUERY PLAN ${selectFullHolds}`).all("x", "y") as { detail: string }[]
    ).map((r) => r.detail);
    expect(full).not.toContain(holdRange);
    void s.close();
  });
});
