import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Database from "better-sqlite3";
import { GroupCommitWriter } from "./groupCommitWriter";
import { InlineWriter } from "./inlineWriter";
import type { SqlStatement } from "./sqlWrite";
import { WriteRefusedError } from "./writeErrors";

let dir: string;
let n = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-groupcommit-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const schema = `
CREATE TABLE IF NOT EXISTS parent (id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS t (
  k TEXT PRIMARY KEY,
  v BLOB,
  parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED
);
INSERT OR IGNORE INTO parent (id) VALUES (1);
`;

/** A database file with the test schema, a writer on it, and an independent reading connection. */
function open(options: { pragmas?: string[]; maxBatch?: number } = {}) {
  const file = path.join(dir, `db-${++n}.sqlite`);
  const setup = new Database(file);
  setup.pragma("journal_mode = WAL");
  setup.exec(schema);
  setup.close();
  const writer = new GroupCommitWriter(file, options);
  const reader = new Database(file, { readonly: true });
  const keys = () => (reader.prepare("SELECT k FROM t ORDER BY k").all() as { k: string }[]).map((r) => r.k);
  return { file, writer, reader, keys };
}

const insert = (k: string, parent = 1): SqlStatement => ({
  sql: "INSERT INTO t (k, v, parent) VALUES (?, ?, ?)",
  params: [k, Uint8Array.of(1, 2, 3), parent],
});

describe("GroupCommitWriter", () => {
  it("a write resolves with its rows once committed: another connection sees it at that moment", async () => {
    const { writer, reader, keys } = open();
    const rows = await writer.write([
      { sql: "INSERT INTO t (k, v) VALUES (@k, @v) RETURNING k, v", params: { k: "a", v: Uint8Array.of(9) } },
    ]);
    expect(keys()).toEqual(["a"]);
    expect(rows[0]).toHaveLength(1);
    expect(rows[0][0].k).toBe("a");
    expect(new Uint8Array(rows[0][0].v as Uint8Array)).toEqual(Uint8Array.of(9));
    await writer.close();
    reader.close();
  });

  it("a byte view is written as exactly its bytes, whatever buffer it is a view of", async () => {
    const { writer, reader } = open();
    const big = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
    const view = big.subarray(1000, 1005);
    const pooled = Buffer.from("pooled"); // a view into Node's shared 8 KiB pool
    await writer.write([
      { sql: "INSERT INTO t (k, v) VALUES (?, ?)", params: ["view", view] },
      { sql: "INSERT INTO t (k, v) VALUES (@k, @v)", params: { k: "pooled", v: pooled } },
    ]);
    const v = (k: string) =>
      new Uint8Array((reader.prepare("SELECT v FROM t WHERE k = ?").get(k) as { v: Buffer }).v);
    expect(v("view")).toEqual(Uint8Array.of(232, 233, 234, 235, 236));
    expect(Buffer.from(v("pooled")).toString()).toBe("pooled");
    await writer.close();
    reader.close();
  });

  it("does not resolve while it cannot commit, and resolves once it has", async () => {
    const { file, writer, reader, keys } = open();
    await writer.write([insert("warm")]); // the thread is up
    const blocker = new Database(file);
    blocker.exec("BEGIN IMMEDIATE"); // holds the write lock: the writer's transaction has to wait
    let resolved = false;
    const w = writer.write([insert("b")]).then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(resolved).toBe(false);
    expect(keys()).toEqual(["warm"]);
    blocker.exec("ROLLBACK");
    await w;
    expect(resolved).toBe(true);
    expect(keys()).toEqual(["b", "warm"]);
    blocker.close();
    await writer.close();
    reader.close();
  });

  it("concurrent writes share COMMITs, and every one of them is kept", async () => {
    const { writer, reader, keys } = open();
    await writer.write([insert("warm")]);
    const all = Array.from({ length: 200 }, (_, i) => `k${String(i).padStart(3, "0")}`);
    await Promise.all(all.map((k) => writer.write([insert(k)])));
    expect(keys()).toEqual([...all, "warm"]);
    expect(writer.stats.writes).toBe(201);
    expect(writer.stats.commits).toBeLessThan(201);
    await writer.close();
    reader.close();
  });

  it("at most maxBatch writes go into one COMMIT", async () => {
    const { writer, reader, keys } = open({ maxBatch: 1 });
    await Promise.all(["a", "b", "c", "d"].map((k) => writer.write([insert(k)])));
    expect(keys()).toEqual(["a", "b", "c", "d"]);
    expect(writer.stats.commits).toBe(4);
    await writer.close();
    reader.close();
  });

  it("a failing or refused write rejects with its typed error, and concurrent writes still land", async () => {
    const { writer, reader, keys } = open({ pragmas: ["foreign_keys = ON"] });
    await writer.write([insert("taken")]);
    const results = await Promise.allSettled([
      writer.write([insert("a")]),
      writer.write([insert("partial"), insert("taken")]),
      writer.write([insert("refused"), { sql: "UPDATE t SET v = NULL WHERE k = 'none'", changes: 1 }]),
      writer.write([insert("z")]),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      name: "StoreWriteError",
      code: "SQLITE_CONSTRAINT_PRIMARYKEY",
    });
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(WriteRefusedError);
    expect(keys()).toEqual(["a", "taken", "z"]);
    // A COMMIT that fails (a deferred foreign key is checked only then) fails its writes; the writer goes on.
    await expect(writer.write([insert("orphan", 42)])).rejects.toMatchObject({
      code: "SQLITE_CONSTRAINT_FOREIGNKEY",
    });
    await writer.write([insert("later")]);
    expect(keys()).toEqual(["a", "later", "taken", "z"]);
    await writer.close();
    reader.close();
  });

  it("close commits what is queued; a write after close is refused", async () => {
    const { writer, reader, keys } = open();
    const queued = writer.write([insert("queued")]);
    await writer.close();
    await queued;
    expect(keys()).toEqual(["queued"]);
    await expect(writer.write([insert("late")])).rejects.toMatchObject({ code: "SETLAB_CLOSED" });
    reader.close();
  });

  it("a writer thread that cannot open its database fails the waiting writes, not the process", async () => {
    const writer = new GroupCommitWriter(path.join(dir, "no-such-dir", "x.sqlite"));
    await expect(writer.write([insert("a")])).rejects.toMatchObject({
      name: "StoreWriteError",
      code: "SETLAB_WRITER_STOPPED",
    });
    await writer.close();
  });
});

describe("InlineWriter (in-memory database)", () => {
  it("applies a write in its own transaction; a refused or failing write leaves nothing", async () => {
    const db = new Database(":memory:");
    db.exec(schema);
    const writer = new InlineWriter(db);
    const keys = () => (db.prepare("SELECT k FROM t ORDER BY k").all() as { k: string }[]).map((r) => r.k);
    await writer.write([insert("a")]);
    await expect(
      writer.write([insert("b"), { sql: "UPDATE t SET v = NULL WHERE k = 'none'", changes: 1 }]),
    ).rejects.toBeInstanceOf(WriteRefusedError);
    await expect(writer.write([insert("c"), insert("a")])).rejects.toMatchObject({
      code: "SQLITE_CONSTRAINT_PRIMARYKEY",
    });
    expect(keys()).toEqual(["a"]);
    expect(db.inTransaction).toBe(false);
    await writer.close();
    await expect(writer.write([insert("d")])).rejects.toMatchObject({ code: "SETLAB_CLOSED" });
    db.close();
  });
});

describe("the writer thread's temporary storage", () => {
  it("keeps a batch's statement journal in memory: no file in SQLite's temporary directory", () => {
    // In a child process: SQLite reads SQLITE_TMPDIR once per process. Three writes posted together
    // are one batch, each in a SAVEPOINT, and each rewrites a third of 1 MB of rows: the journal of
    // the pages they change (about 1 MB) is past what SQLite keeps in memory before it spills to a
    // file, unless temp_store is MEMORY. A temporary file is unlinked as soon as it is opened;
    // the directory's change time still shows it was made.
    const tmp = fs.mkdtempSync(path.join(dir, "sqlite-tmp-"));
    const script = `
      const fs = require("node:fs");
      const Database = require("better-sqlite3");
      const { GroupCommitWriter } = require(${JSON.stringify(path.resolve(__dirname, "../../dist/durableStore/groupCommitWriter.js"))});
      const file = ${JSON.stringify(path.join(dir, "spill.sqlite"))};
      const setup = new Database(file);
      setup.pragma("journal_mode = WAL");
      setup.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)");
      const insert = setup.prepare("INSERT INTO t VALUES (?, ?)");
      setup.transaction(() => { for (let k = 0; k < 2000; k++) insert.run(k, Buffer.alloc(500, 1)); })();
      setup.close();
      const before = fs.statSync(process.env.SQLITE_TMPDIR, { bigint: true }).ctimeNs;
      const writer = new GroupCommitWriter(file);
      Promise.all([0, 1, 2].map((j) =>
        writer.write([{ sql: "UPDATE t SET v = ? WHERE k % 3 = ?", params: [Buffer.alloc(500, j + 2), j] }]),
      )).then(async () => {
        await writer.close();
        const after = fs.statSync(process.env.SQLITE_TMPDIR, { bigint: true }).ctimeNs;
        console.log(JSON.stringify({ commits: writer.stats.commits, touched: after !== before }));
      });`;
    const out = execFileSync(process.execPath, ["-e", script], {
      cwd: path.resolve(__dirname, "../.."),
      env: { ...process.env, SQLITE_TMPDIR: tmp },
      encoding: "utf8",
    });
    expect(JSON.parse(out)).toEqual({ commits: 1, touched: false });
  });
});
