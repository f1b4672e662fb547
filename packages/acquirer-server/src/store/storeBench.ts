/**
 * `pnpm bench` (acquirer-server): what durable storage costs on this disk. It prints the raw cost
 * of one SQLite commit in WAL mode with synchronous=FULL (one fsync of the WAL per commit), and
 * the gateway store's own rates: recordAuthorization (the one write per AuthReq) one at a time and
 * with several in flight, and the reads a decision makes. "main thread busy" is the event loop's
 * active time per operation: time in which the gateway can do nothing else.
 *
 * The same rows are then written through group commit (the writer thread the stores use), with one
 * and with eight writers waiting, and it prints how many writes shared each COMMIT.
 *
 * Last, what one card's history costs a decision: a store whose card already has 1 000 and then
 * 50 000 captured authorizations (each with its capture and posting), then the account lookup a
 * decision makes and the lookup followed by the decision's write, one at a time.
 *
 * Environment: BENCH_SECONDS (per figure, default 2), BENCH_STORE_DIR (where the database files
 * go, default os.tmpdir(); the lab keeps its state under .setlab/), BENCH_HISTORY_ONLY=1 for the
 * history figures alone.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { GroupCommitWriter } from "@setlab/runtime";
import Database from "better-sqlite3";
import { type AuthorizationRow, GatewayStore } from "./gatewayStore";

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const baseDir = process.env.BENCH_STORE_DIR || os.tmpdir();

interface Rate {
  readonly ops: number;
  readonly ms: number;
  readonly busyMs: number;
}

/** Run `op` from `lanes` concurrent callers for about `seconds`. */
async function rate(lanes: number, op: (i: number) => unknown): Promise<Rate> {
  let next = 0;
  const start = performance.now();
  const elu = performance.eventLoopUtilization();
  const lane = async () => {
    while (performance.now() - start < seconds * 1000) await op(next++);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  const ms = performance.now() - start;
  // Busy is all but the loop's idle time: a synchronous fsync never lets the loop go idle.
  return { ops: next, ms, busyMs: ms - performance.eventLoopUtilization(elu).idle };
}

function print(name: string, r: Rate): void {
  const perOp = r.ms / r.ops;
  console.log(
    `${name}: ${((r.ops * 1000) / r.ms).toFixed(0)}/s (${perOp.toFixed(3)} ms each; main thread busy ${(r.busyMs / r.ops).toFixed(3)} ms per op; ${r.ops} ops)`,
  );
}

/** One 4 KiB row per transaction, the size of a stored SET message, straight through better-sqlite3. */
async function rawCommits(dir: string, synchronous: "FULL" | "NORMAL"): Promise<Rate> {
  const db = new Database(path.join(dir, `raw-${synchronous}.sqlite`));
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous}`);
  db.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)");
  const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
  const blob = Buffer.alloc(4096, 7);
  try {
    return await rate(1, () => insert.run(blob));
  } finally {
    db.close();
  }
}

/** The same rows through group commit: a writer thread, synchronous=FULL, `lanes` writers waiting. */
async function groupCommits(dir: string, lanes: number): Promise<Rate & { perCommit: number }> {
  const file = path.join(dir, `group-${lanes}.sqlite`);
  const setup = new Database(file);
  setup.pragma("journal_mode = WAL");
  setup.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)");
  setup.close();
  const writer = new GroupCommitWriter(file);
  const blob = new Uint8Array(4096).fill(7);
  const insert = () => writer.write([{ sql: "INSERT INTO t (v) VALUES (?)", params: [blob] }]);
  try {
    await insert(); // the thread is up
    const before = { ...writer.stats };
    const r = await rate(lanes, insert);
    return {
      ...r,
      perCommit: (writer.stats.writes - before.writes) / (writer.stats.commits - before.commits),
    };
  } finally {
    await writer.close();
  }
}

const account = {
  cardId: "bench",
  brand: "Visa",
  pan: "4111110000000005",
  expiry: "209912",
  outcome: "approve",
  currency: 392,
  creditLimit: Number.MAX_SAFE_INTEGER,
};
const response = new Uint8Array(5200).fill(0x30);
const hex = (i: number, width: number) => i.toString(16).padStart(width, "0");

const row = (run: string, i: number): AuthorizationRow => ({
  authRRPID: `${run}${hex(i, 38)}`,
  xid: `${run}${hex(i, 38)}`,
  merchantID: "SETLAB-MER-0001",
  brand: "Visa",
  amount: 100,
  currency: 392,
  amtExp10: 0,
  authCode: "approved",
  approvalCode: "ABC123",
  held: 100,
  cardId: account.cardId,
  requestHash: hex(i, 64),
  response,
  created: new Date().toISOString(),
});

/**
 * `prior` captured authorizations on the bench card, written straight into the file in one
 * transaction (a history the size of a long lab run, without waiting for its fsyncs).
 */
function writeHistory(file: string, prior: number): void {
  const db = new Database(file);
  const auth = db.prepare(
    `INSERT INTO authorizations (auth_rrpid, xid, merchant_id, brand, amount, currency, amt_exp10, auth_code,
      approval_code, held, hold_until, card_id, request_hash, response, created)
      VALUES (?, ?, 'SETLAB-MER-0001', 'Visa', 100, 392, 0, 'approved', 'ABC123', 100, ?, ?, ?, ?, ?)`,
  );
  const capture = db.prepare(
    "INSERT INTO captures (auth_rrpid, cap_rrpid, amount, currency, created) VALUES (?, NULL, 100, 392, ?)",
  );
  const posting = db.prepare(
    "INSERT INTO postings (auth_rrpid, card_id, amount, created) VALUES (?, ?, 100, ?)",
  );
  // A past history: each hold ended when it was captured, an hour ago or more.
  const base = Date.now() - 3_600_000 - prior * 1000;
  const small = Buffer.alloc(64, 0x30);
  db.transaction(() => {
    for (let i = 0; i < prior; i++) {
      const id = `ff${hex(i, 38)}`;
      const at = new Date(base + i * 1000).toISOString();
      auth.run(id, id, at, account.cardId, hex(i, 64), small, at);
      capture.run(id, at);
      posting.run(id, account.cardId, at);
    }
  })();
  db.close();
}

/** Lookups and authorizations on a card with `prior` authorizations behind it. */
async function withHistory(dir: string, prior: number): Promise<void> {
  const file = path.join(dir, `history-${prior}.sqlite`);
  const seeded = GatewayStore.open(file);
  seeded.seedAccounts([account]);
  await seeded.close();
  writeHistory(file, prior);
  const store = GatewayStore.open(file);
  try {
    print(
      `account lookup, ${prior} prior authorizations on the card`,
      await rate(1, () => store.account(account.cardId)),
    );
    print(
      `authorization (account lookup, then recordAuthorization), ${prior} prior authorizations on the card`,
      await rate(1, (i) => {
        store.account(account.cardId);
        return store.recordAuthorization(row("03", i));
      }),
    );
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(baseDir, "setlab-store-bench-"));
  console.log(`gateway store bench in ${dir} (${seconds} s per figure)`);
  try {
    if (process.env.BENCH_HISTORY_ONLY !== "1") await figures(dir);
    for (const prior of [1000, 50_000]) await withHistory(dir, prior);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Commit costs and the store's own rates, on an empty history. */
async function figures(dir: string): Promise<void> {
  print("SQLite commit, WAL, synchronous=FULL, 4 KiB row", await rawCommits(dir, "FULL"));
  print("SQLite commit, WAL, synchronous=NORMAL (no fsync; reference only)", await rawCommits(dir, "NORMAL"));
  for (const lanes of [1, 8]) {
    const g = await groupCommits(dir, lanes);
    print(
      `group commit, 4 KiB row, ${lanes} writer(s) waiting, ${g.perCommit.toFixed(1)} writes per COMMIT`,
      g,
    );
  }
  const store = GatewayStore.open(path.join(dir, "gateway.sqlite"));
  store.seedAccounts([account]);
  print(
    "gateway store recordAuthorization, one at a time",
    await rate(1, (i) => store.recordAuthorization(row("01", i))),
  );
  print(
    // The gateway records one decision at a time; this shows what group commit gives overlapping writers.
    "gateway store recordAuthorization, 8 in flight",
    await rate(8, (i) => store.recordAuthorization(row("02", i))),
  );
  print(
    "gateway store decision reads (authorization, authorizationsByXid, accountByPan)",
    await rate(1, (i) => {
      const r = row("01", i % 1000);
      store.authorization(r.authRRPID);
      store.authorizationsByXid(r.xid);
      store.accountByPan(account.pan);
    }),
  );
  await store.close();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
