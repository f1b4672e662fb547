// @ts-check
/**
 * The writer thread of a GroupCommitWriter: the only connection that writes to the database, with
 * synchronous=FULL, so the fsync of each COMMIT blocks this thread and never the server's event
 * loop. Writes that arrive while a COMMIT is on its way to the disk wait in the port and go
 * together into the next transaction: the busier the store, the more writes share one fsync.
 * Results go back only after the COMMIT that holds them returned.
 */
const { parentPort, receiveMessageOnPort, workerData } = require("node:worker_threads");
const { applyBatch } = require("./applyBatch");

if (!parentPort) throw new Error("groupCommitThread.js runs as a worker thread");
const port = parentPort;

const Database = require("better-sqlite3");

/** @type {{ file: string, pragmas: readonly string[], maxBatch: number }} */
const options = workerData;
const db = new Database(options.file);
db.pragma("journal_mode = WAL");
// A COMMIT returns once the WAL is fsynced: what a write's caller is told is on disk, is.
db.pragma("synchronous = FULL");
db.pragma("busy_timeout = 5000");
// A batch's writes each run in a SAVEPOINT, whose journal (the pages they change, as they were)
// SQLite spills past 64 KiB to a file in /var/tmp: at the merchant's load about 20 writes to
// that file per purchase, and a copy of order rows outside the owner-only database. In memory,
// it is neither.
db.pragma("temp_store = MEMORY");
for (const pragma of options.pragmas) db.pragma(pragma);

/** @type {import("./applyBatch").StatementCache} */
const cache = new Map();
/** @type {import("./applyBatch").QueuedWrite[]} */
const queue = [];
let closing = false;
let scheduled = false;

/** @param {{ type: "write", id: number, statements: import("./sqlWrite").SqlWrite } | { type: "close" }} message */
function take(message) {
  if (message.type === "close") closing = true;
  else queue.push({ id: message.id, statements: message.statements });
  if (!scheduled) {
    scheduled = true;
    // After the messages already delivered in this turn: they join the same batch.
    setImmediate(drain);
  }
}

function takeWaiting() {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) take(m.message);
}

function drain() {
  scheduled = false;
  takeWaiting();
  while (queue.length > 0) {
    port.postMessage(applyBatch(db, cache, queue.splice(0, options.maxBatch)));
    // What arrived during that COMMIT is the next batch.
    takeWaiting();
  }
  if (closing) {
    db.close();
    port.close();
  }
}

port.on("message", take);
