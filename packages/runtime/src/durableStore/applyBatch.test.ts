/**
 * One batch, as the writer thread applies it: deterministic here (the thread's batches depend on
 * timing), on a real SQLite connection.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Database from "better-sqlite3";
import { applyBatch, type QueuedWrite, type StatementCache } from "./applyBatch";
import type { SqlStatement } from "./sqlWrite";

const insert = (k: string, parent = 1): SqlStatement => ({
  sql: "INSERT INTO t (k, parent) VALUES (?, ?)",
  params: [k, parent],
});

function setup() {
  const db = new Database(":memory:");
  db.pragma("foreign_keys = ON");
  db.exec(`
    CREATE TABLE parent (id INTEGER PRIMARY KEY);
    INSERT INTO parent (id) VALUES (1);
    CREATE TABLE t (k TEXT PRIMARY KEY, parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
    INSERT INTO t (k, parent) VALUES ('taken', 1);
  `);
  const cache: StatementCache = new Map();
  const keys = () => (db.prepare("SELECT k FROM t ORDER BY k").all() as { k: string }[]).map((r) => r.k);
  const apply = (...writes: SqlStatement[][]) => {
    const queued: QueuedWrite[] = writes.map((statements, id) => ({ id, statements }));
    const { results, commits } = applyBatch(db, cache, queued);
    const byId = new Map(results.map((r) => [r.id, r]));
    expect(byId.size).toBe(writes.length);
    return { results: queued.map((w) => byId.get(w.id)!), commits };
  };
  return { db, cache, keys, apply };
}

describe("applyBatch", () => {
  it("commits every write of the batch in one COMMIT and returns each write's rows", () => {
    const { keys, apply } = setup();
    const { results, commits } = apply(
      [insert("a")],
      [{ sql: "INSERT INTO t (k, parent) VALUES (?, 1) RETURNING k", params: ["b"] }],
    );
    expect(commits).toBe(1);
    expect(results.map((r) => r.rows)).toEqual([[[]], [[{ k: "b" }]]]);
    expect(keys()).toEqual(["a", "b", "taken"]);
  });

  it("a write that fails part-way is rolled back alone, the writes around it commit", () => {
    const { db, keys, apply } = setup();
    const { results, commits } = apply([insert("a")], [insert("partial"), insert("taken")], [insert("z")]);
    expect(commits).toBe(1);
    expect(results[0].rows).toBeDefined();
    expect(results[1].failure).toEqual({
      kind: "failed",
      code: "SQLITE_CONSTRAINT_PRIMARYKEY",
      message: expect.stringContaining("UNIQUE"),
    });
    expect(results[2].rows).toBeDefined();
    expect(keys()).toEqual(["a", "taken", "z"]);
    expect(db.inTransaction).toBe(false);
  });

  it("a refused precondition names the statement and keeps nothing of that write", () => {
    const { keys, apply } = setup();
    const { results } = apply(
      [insert("partial"), { sql: "UPDATE t SET parent = 1 WHERE k = ?", params: ["none"], changes: 1 }],
      [insert("ok"), { sql: "UPDATE t SET parent = 1 WHERE k = ?", params: ["ok"], changes: 1 }],
      [{ sql: "SELECT k FROM t WHERE k = 'taken'", changes: 0 }],
    );
    expect(results[0].failure).toEqual({ kind: "refused", statement: 1, changes: 0, expected: 1 });
    expect(results[1].rows).toBeDefined();
    // For a statement that returns rows, the demand is on how many it returned.
    expect(results[2].failure).toEqual({ kind: "refused", statement: 0, changes: 1, expected: 0 });
    expect(keys()).toEqual(["ok", "taken"]);
  });

  it("a COMMIT that fails fails every write of the batch and keeps none", () => {
    const { db, keys, apply } = setup();
    const { results, commits } = apply([insert("a")], [insert("orphan", 42)], [insert("b")]);
    expect(commits).toBe(0);
    for (const r of results) {
      expect(r.rows).toBeUndefined();
      expect(r.failure).toMatchObject({ kind: "failed", code: "SQLITE_CONSTRAINT_FOREIGNKEY" });
    }
    expect(keys()).toEqual(["taken"]);
    expect(db.inTransaction).toBe(false);
    // The connection is usable again.
    expect(apply([insert("c")]).commits).toBe(1);
    expect(keys()).toEqual(["c", "taken"]);
  });

  it("when the transaction cannot begin (another connection holds the write lock), every write fails", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-applybatch-"));
    try {
      const file = path.join(dir, "busy.sqlite");
      const holder = new Database(file);
      holder.pragma("journal_mode = WAL");
      holder.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
      const db = new Database(file, { timeout: 0 });
      holder.exec("BEGIN IMMEDIATE");
      const { results, commits } = applyBatch(db, new Map(), [
        { id: 1, statements: [{ sql: "INSERT INTO t (k) VALUES ('a')" }] },
        { id: 2, statements: [{ sql: "INSERT INTO t (k) VALUES ('b')" }] },
      ]);
      expect(commits).toBe(0);
      expect(results).toHaveLength(2);
      for (const r of results) expect(r.failure).toMatchObject({ kind: "failed", code: "SQLITE_BUSY" });
      expect(holder.inTransaction).toBe(true); // the other connection's transaction is not touched
      holder.exec("ROLLBACK");
      expect(db.prepare("SELECT COUNT(*) AS n FROM t").get()).toEqual({ n: 0 });
      db.close();
      holder.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a write alone in its batch takes no savepoint; when it fails, nothing of it is kept", () => {
    const { db, cache, keys, apply } = setup();
    expect(apply([insert("a")]).commits).toBe(1);
    expect(cache.has("SAVEPOINT write")).toBe(false);
    const failed = apply([insert("partial"), insert("taken")]);
    expect(failed.commits).toBe(0);
    expect(failed.results[0].failure).toMatchObject({ kind: "failed", code: "SQLITE_CONSTRAINT_PRIMARYKEY" });
    const refused = apply([
      insert("partial"),
      { sql: "UPDATE t SET parent = 1 WHERE k = 'none'", changes: 1 },
    ]);
    expect(refused.results[0].failure).toEqual({ kind: "refused", statement: 1, changes: 0, expected: 1 });
    expect(keys()).toEqual(["a", "taken"]);
    expect(db.inTransaction).toBe(false);
    expect(apply([insert("b")]).commits).toBe(1);
    expect(keys()).toEqual(["a", "b", "taken"]);
  });

  it("prepares each SQL text once", () => {
    const { cache, apply } = setup();
    apply([insert("a")], [insert("b")], [insert("c")]);
    apply([insert("d")]);
    // The insert, and BEGIN IMMEDIATE, SAVEPOINT, RELEASE, COMMIT.
    expect([...cache.keys()].sort()).toEqual(
      [
        "BEGIN IMMEDIATE",
        "COMMIT",
        "INSERT INTO t (k, parent) VALUES (?, ?)",
        "RELEASE write",
        "SAVEPOINT write",
      ].sort(),
    );
  });
});
