import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closedAtEnd } from "@setlab/runtime/testing";
import Database from "better-sqlite3";
import { testStoreOptions } from "../testing/testStoreOptions";
import { type AuthorizationRow, GatewayStore } from "./gatewayStore";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-gwstore-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const account = {
  cardId: "visa-approve",
  brand: "Visa",
  pan: "4111110000000005",
  expiry: "203012",
  outcome: "approve",
  currency: 392,
  creditLimit: 1000,
};
const row = (over: Partial<AuthorizationRow> = {}): AuthorizationRow => ({
  authRRPID: "aa".repeat(20),
  xid: "bb".repeat(20),
  merchantID: "M",
  brand: "Visa",
  amount: 100,
  currency: 392,
  amtExp10: 0,
  authCode: "approved",
  approvalCode: "ABC123",
  respReason: "issuer",
  held: 100,
  cardId: "visa-approve",
  requestHash: "cc".repeat(32),
  response: Uint8Array.of(1, 2, 3),
  created: new Date(0).toISOString(),
  ...over,
});

describe("GatewayStore (SQLite file)", () => {
  it("records an authorization and its hold together, and survives reopening", async () => {
    const file = path.join(dir, "a.sqlite");
    const s = closedAtEnd(GatewayStore.open(file, testStoreOptions));
    s.seedAccounts([account]);
    await s.recordAuthorization(row());
    await s.close();
    const again = closedAtEnd(GatewayStore.open(file, testStoreOptions));
    again.seedAccounts([{ ...account, creditLimit: 5 }]); // seeding keeps existing accounts and holds
    expect(again.account("visa-approve")).toMatchObject({ held: 100, creditLimit: 1000 });
    expect(again.authorization("aa".repeat(20))).toMatchObject({
      authCode: "approved",
      response: Uint8Array.of(1, 2, 3),
    });
    expect(again.accountByPan(account.pan)?.cardId).toBe("visa-approve");
    await again.close();
  });

  it("a recorded authorization is committed when the call resolves: another connection sees it", async () => {
    const file = path.join(dir, "d.sqlite");
    const s = closedAtEnd(GatewayStore.open(file, testStoreOptions));
    s.seedAccounts([account]);
    const other = new Database(file, { readonly: true });
    const held = () =>
      (other.prepare("SELECT COALESCE(SUM(held), 0) AS held FROM authorizations").get() as { held: number })
        .held;
    const rows = () => (other.prepare("SELECT COUNT(*) AS n FROM authorizations").get() as { n: number }).n;
    // Another writer holds the lock, so the write cannot reach the disk before the first check
    // (without it the writer thread may commit before this thread reads).
    const blocker = new Database(file);
    blocker.exec("BEGIN IMMEDIATE");
    let resolved = false;
    const pending = s.recordAuthorization(row()).then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect([rows(), held()]).toEqual([0, 0]);
    expect(resolved).toBe(false);
    blocker.exec("COMMIT");
    blocker.close();
    await pending;
    expect([rows(), held()]).toEqual([1, 100]);
    other.close();
    await s.close();
  });

  it("an account's held amount is the sum of its live holds: a lapsed one is left out", async () => {
    const s = closedAtEnd(GatewayStore.open(path.join(dir, "lapse.sqlite"), testStoreOptions));
    s.seedAccounts([account]);
    const t0 = new Date("2026-12-01T00:00:00.000Z");
    await s.recordAuthorization(row({ held: 100, holdUntil: "2026-12-02T00:00:00.000Z" }));
    await s.recordAuthorization(
      row({ authRRPID: "ab".repeat(20), held: 30, holdUntil: "2026-12-08T00:00:00.000Z" }),
    );
    await s.recordAuthorization(row({ authRRPID: "ac".repeat(20), held: 5 })); // no lifetime: never lapses
    expect(s.account("visa-approve", t0)?.held).toBe(135);
    expect(s.accountByPan(account.pan, new Date("2026-12-03T00:00:00.000Z"))?.held).toBe(35);
    expect(s.account("visa-approve", new Date("2026-12-08T00:00:00.000Z"))?.held).toBe(5);
    expect(s.authorization("ab".repeat(20))?.holdUntil).toBe("2026-12-08T00:00:00.000Z");
    await s.close();
  });

  it("a second row with the same AuthRRPID fails and holds nothing more", async () => {
    const s = closedAtEnd(GatewayStore.open(path.join(dir, "b.sqlite"), testStoreOptions));
    s.seedAccounts([account]);
    await s.recordAuthorization(row());
    // The hold is taken first, then the insert fails: the hold must go with it.
    await expect(s.recordAuthorization(row({ xid: "dd".repeat(20) }))).rejects.toMatchObject({
      code: "SQLITE_CONSTRAINT_PRIMARYKEY",
    });
    expect(s.account("visa-approve")?.held).toBe(100);
    expect(s.authorizationsByXid("dd".repeat(20))).toEqual([]);
    await s.close();
  });

  it("a hold on an unknown account, or a hold without an account, records nothing", async () => {
    const s = closedAtEnd(GatewayStore.open(path.join(dir, "c.sqlite"), testStoreOptions));
    await expect(s.recordAuthorization(row({ cardId: "nope" }))).rejects.toThrow("no account nope");
    await expect(s.recordAuthorization(row({ cardId: undefined }))).rejects.toThrow(
      "a hold needs an account",
    );
    expect(s.authorization("aa".repeat(20))).toBeUndefined();
    await s.close();
  });

  it("concurrent writes of one AuthRRPID: exactly one is kept, with one hold; the others' failures take nothing else", async () => {
    const s = closedAtEnd(GatewayStore.open(path.join(dir, "e.sqlite"), testStoreOptions));
    s.seedAccounts([account]);
    const others = Array.from({ length: 6 }, (_, i) =>
      row({ authRRPID: `0${i}`.padEnd(40, "f"), xid: `0${i}`.padEnd(40, "e") }),
    );
    const outcomes = await Promise.allSettled([
      ...others.slice(0, 3).map((r) => s.recordAuthorization(r)),
      ...Array.from({ length: 8 }, (_, i) => s.recordAuthorization(row({ xid: `1${i}`.padEnd(40, "d") }))),
      ...others.slice(3).map((r) => s.recordAuthorization(r)),
    ]);
    const kept = outcomes.slice(3, 11).filter((o) => o.status === "fulfilled");
    expect(kept).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(7);
    for (const r of others) expect(s.authorization(r.authRRPID)?.held).toBe(100);
    expect(s.authorization("aa".repeat(20))).toBeDefined();
    expect(s.account("visa-approve")?.held).toBe(7 * 100);
    await s.close();
  });

  it("the database and its WAL are readable by the owner only (they hold PANs), even a file made before", async () => {
    const file = path.join(dir, "f.sqlite");
    fs.writeFileSync(file, "", { mode: 0o644 });
    const s = closedAtEnd(GatewayStore.open(file, testStoreOptions));
    s.seedAccounts([account]);
    await s.recordAuthorization(row());
    for (const f of [file, `${file}-wal`]) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    await s.close();
  });

  it("an in-memory store applies the same writes on its own connection", async () => {
    const s = closedAtEnd(GatewayStore.open(":memory:", testStoreOptions));
    s.seedAccounts([account]);
    await s.recordAuthorization(row());
    await expect(s.recordAuthorization(row())).rejects.toThrow();
    expect(s.account("visa-approve")?.held).toBe(100);
    await s.close();
  });
});
