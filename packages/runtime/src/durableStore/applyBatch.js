// @ts-check
/**
 * Group commit's transaction: a batch of writes in one SQLite transaction, each write inside its
 * own SAVEPOINT, so a write that fails (a constraint, a refused precondition) is rolled back alone
 * and the others still commit; one COMMIT, hence one fsync, for the whole batch. Nothing is
 * reported as written before that COMMIT has returned; if the COMMIT fails, or SQLite itself
 * rolls the transaction back (disk full, I/O error), every write it held is reported failed.
 *
 * A batch of one write (the common case below a few purchases in flight) takes no savepoint: the
 * transaction is the write, and a failure rolls it back. A savepoint copies every page the write
 * changes into a statement journal first, a few per cent of the merchant's CPU in the profiles.
 *
 * Plain JavaScript because it also runs inside the writer thread (groupCommitThread.js), which
 * Node starts from a file without any TypeScript transform.
 */

/**
 * @typedef {import("./sqlWrite").SqlStatement} SqlStatement
 * @typedef {import("./writeErrors").WriteFailure} WriteFailure
 * @typedef {{ readonly id: number, readonly statements: readonly SqlStatement[] }} QueuedWrite
 * @typedef {{ readonly id: number, readonly rows?: unknown[][], readonly failure?: WriteFailure }} WriteResult
 * @typedef {{ run(...params: unknown[]): { changes: number }, all(...params: unknown[]): unknown[], readonly reader: boolean }} PreparedStatement
 * @typedef {{ prepare(sql: string): PreparedStatement, readonly inTransaction: boolean }} SqliteConnection
 * @typedef {Map<string, PreparedStatement>} StatementCache
 */

class Refused extends Error {
  /**
   * @param {number} statement
   * @param {number} changes
   * @param {number} expected
   */
  constructor(statement, changes, expected) {
    super("refused");
    this.statement = statement;
    this.changes = changes;
    this.expected = expected;
  }
}

/**
 * Each SQL text is prepared once per connection and kept.
 * @param {SqliteConnection} db
 * @param {StatementCache} cache
 * @param {string} sql
 */
function prepared(db, cache, sql) {
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/**
 * @param {unknown} e
 * @returns {WriteFailure}
 */
function failureOf(e) {
  if (e instanceof Refused)
    return { kind: "refused", statement: e.statement, changes: e.changes, expected: e.expected };
  const code =
    typeof (/** @type {any} */ (e)?.code) === "string" ? /** @type {any} */ (e).code : "SQLITE_ERROR";
  return { kind: "failed", code, message: e instanceof Error ? e.message : String(e) };
}

/**
 * @param {SqliteConnection} db
 * @param {StatementCache} cache
 * @param {readonly SqlStatement[]} statements
 * @returns {unknown[][]}
 */
function runWrite(db, cache, statements) {
  return statements.map((s, i) => {
    const statement = prepared(db, cache, s.sql);
    const args = s.params === undefined ? [] : Array.isArray(s.params) ? s.params : [s.params];
    /** @type {unknown[]} */
    let rows = [];
    let changes;
    if (statement.reader) {
      rows = statement.all(...args);
      changes = rows.length;
    } else changes = statement.run(...args).changes;
    if (s.changes !== undefined && changes !== s.changes) throw new Refused(i, changes, s.changes);
    return rows;
  });
}

/**
 * Apply `writes` in one transaction and commit it. Returns one result per write, in no particular
 * order (a write has `rows` only if it is committed), and how many COMMITs that took.
 * @param {SqliteConnection} db
 * @param {StatementCache} cache
 * @param {readonly QueuedWrite[]} writes
 * @returns {{ results: WriteResult[], commits: number }}
 */
function applyBatch(db, cache, writes) {
  const run = (/** @type {string} */ sql) => prepared(db, cache, sql).run();
  /** @type {WriteResult[]} */
  const done = [];
  /** Writes applied in the open transaction, not yet committed. @type {{ id: number, rows: unknown[][] }[]} */
  let applied = [];
  const fail = (/** @type {readonly { id: number }[]} */ list, /** @type {unknown} */ e) => {
    for (const w of list) done.push({ id: w.id, failure: failureOf(e) });
  };
  let next = 0;
  let commits = 0;
  let began = false;
  const alone = writes.length === 1;
  try {
    run("BEGIN IMMEDIATE");
    began = true;
    for (; next < writes.length; next++) {
      const w = writes[next];
      // SQLite rolled back the transaction under an earlier write: the rest go in a new one.
      if (!db.inTransaction) run("BEGIN IMMEDIATE");
      if (!alone) run("SAVEPOINT write");
      try {
        const rows = runWrite(db, cache, w.statements);
        if (!alone) run("RELEASE write");
        applied.push({ id: w.id, rows });
      } catch (e) {
        if (alone) {
          if (db.inTransaction) run("ROLLBACK");
        } else if (db.inTransaction) {
          run("ROLLBACK TO write");
          run("RELEASE write");
        } else {
          // SQLite rolled the whole transaction back: the writes applied before this one are gone.
          fail(applied, e);
          applied = [];
        }
        fail([w], e);
      }
    }
    if (db.inTransaction) {
      run("COMMIT");
      commits++;
    }
    done.push(...applied);
  } catch (e) {
    // BEGIN, SAVEPOINT handling or COMMIT failed: nothing open is kept, nothing pending is written.
    try {
      if (began && db.inTransaction) run("ROLLBACK");
    } catch {
      // The failure that brought us here is the one to report.
    }
    fail(applied, e);
    fail(writes.slice(next + 1), e);
    if (next < writes.length && !done.some((d) => d.id === writes[next].id)) fail([writes[next]], e);
  }
  return { results: done, commits };
}

exports.applyBatch = applyBatch;
