/**
 * Group commit for a SQLite file: writes are handed to a writer thread (groupCommitThread.js)
 * that commits whatever has queued up in one transaction, one savepoint per write, and answers
 * each write after that COMMIT (synchronous=FULL, so after the fsync) returned. A caller that
 * awaits `write` therefore sends its answer only once the state it answers for is on disk, as
 * before, while the fsync (about 1 ms on the lab's disk) blocks neither the event loop nor the
 * other writers, who share it.
 *
 * Reads stay on the store's own connection in the calling thread: WAL lets it read concurrently,
 * and it sees only committed rows, never a write whose COMMIT has not returned.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { DurableWriter, SqlRows, SqlStatement, SqlValue, SqlWrite } from "./sqlWrite";
import { StoreWriteError, type WriteFailure, writeErrorOf } from "./writeErrors";

export interface GroupCommitOptions {
  /** More pragmas for the writing connection; WAL and synchronous=FULL are always set. */
  readonly pragmas?: readonly string[];
  /** At most this many writes in one transaction (default 64). */
  readonly maxBatch?: number;
}

/**
 * postMessage clones a byte view together with its whole ArrayBuffer: a 5 KB message that is a
 * view into a large buffer (a pooled Buffer, a decoder's input) would cost a copy of all of it.
 */
const exactBytes = (v: SqlValue): SqlValue =>
  v instanceof Uint8Array && v.byteLength !== v.buffer.byteLength ? new Uint8Array(v) : v;

function exactParams(s: SqlStatement): SqlStatement {
  if (s.params === undefined) return s;
  const params = Array.isArray(s.params)
    ? (s.params as readonly SqlValue[]).map(exactBytes)
    : Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, exactBytes(v)]));
  return { ...s, params };
}

interface Pending {
  resolve(rows: SqlRows): void;
  reject(e: Error): void;
}

interface BatchDone {
  readonly results: readonly {
    readonly id: number;
    readonly rows?: SqlRows;
    readonly failure?: WriteFailure;
  }[];
  readonly commits: number;
}

/** What the writer did so far: writes answered and COMMITs (fsyncs) it took. */
export interface GroupCommitStats {
  writes: number;
  commits: number;
}

export class GroupCommitWriter implements DurableWriter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing: Promise<void> | undefined;
  readonly stats: GroupCommitStats = { writes: 0, commits: 0 };

  constructor(
    private readonly file: string,
    private readonly options: GroupCommitOptions = {},
  ) {}

  write(statements: SqlWrite): Promise<SqlRows> {
    if (this.closing) return Promise.reject(new StoreWriteError("the store is closed", "SETLAB_CLOSED"));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<SqlRows>((resolve, reject) => {
      // A write in flight keeps the process alive until its COMMIT is answered; an idle writer does not.
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ type: "write", id, statements: statements.map(exactParams) });
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const worker = this.worker;
      if (!worker) return resolve();
      worker.once("exit", () => resolve());
      worker.ref();
      // After every write already posted: they are committed (or fail) before the thread stops.
      worker.postMessage({ type: "close" });
    });
    return this.closing;
  }

  /** Started at the first write: a store opened only to read never starts a thread. */
  private start(): Worker {
    const worker = new Worker(path.join(__dirname, "groupCommitThread.js"), {
      workerData: {
        file: this.file,
        pragmas: this.options.pragmas ?? [],
        maxBatch: this.options.maxBatch ?? 64,
      },
    });
    worker.on("message", ({ results, commits }: BatchDone) => {
      this.stats.writes += results.length;
      this.stats.commits += commits;
      for (const r of results) {
        const p = this.pending.get(r.id);
        if (!p) continue;
        this.pending.delete(r.id);
        if (r.failure) p.reject(writeErrorOf(r.failure));
        else p.resolve(r.rows ?? []);
      }
      if (this.pending.size === 0) worker.unref();
    });
    worker.on("error", (e) => this.failPending(`the store's writer thread failed: ${e.message}`));
    worker.on("exit", (code) => {
      if (this.worker === worker) this.worker = undefined;
      // Whether those writes were committed is unknown; their callers must not answer as if they were.
      this.failPending(`the store's writer thread stopped (exit code ${code})`);
    });
    this.worker = worker;
    return worker;
  }

  private failPending(message: string): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new StoreWriteError(message, "SETLAB_WRITER_STOPPED"));
  }
}
