/**
 * `pnpm bench` (merchant-server): the merchant repository's share of a purchase. One "purchase"
 * here is the writes and reads the core makes for one order, with SET messages of their real
 * sizes: createOrder, the PInitRes commit, the commit before the AuthReq leaves, the commit of the
 * PRes; each commit is durable (WAL, synchronous=FULL) before it resolves. Printed one purchase
 * at a time and with 8 in flight (the end-to-end bench's concurrency); "main thread busy" is the
 * event loop's active time per purchase: time in which the merchant can do nothing else; "CPU" is
 * the process's, every thread (the writer thread's SQLite work and fsync calls among them).
 *
 * Environment: BENCH_SECONDS (per figure, default 2), BENCH_STORE_DIR (where the database file
 * goes, default os.tmpdir(); the lab keeps its state under .setlab/).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { SqliteRepository } from "./sqliteRepository";

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const baseDir = process.env.BENCH_STORE_DIR || os.tmpdir();

// Sizes of the lab's messages (bytes): PInitReq, PInitRes, PReq, AuthReq, AuthRes, PRes.
const der = (n: number) => new Uint8Array(n).fill(0x30);
const pInitReq = der(300);
const pInitRes = der(8800);
const pReq = der(6500);
const authReq = der(8200);
const authRes = der(5200);
const pRes = der(3100);
const hex = (i: number, width: number) => i.toString(16).padStart(width, "0");

async function purchase(repo: SqliteRepository, i: number): Promise<void> {
  const at = new Date();
  const order = await repo.createOrder(
    { description: "bench mug", purchAmt: { currency: 392, amount: 1280, amtExp10: 0 } },
    at,
  );
  const xid = hex(i, 40);
  await repo.orderByLidM(order.lidM);
  await repo.idempotency("PInitReq", `a${xid}`);
  await repo.commit(
    {
      orderId: order.id,
      expect: "created",
      transitions: [{ to: "initiated", detail: "PInitRes sent" }],
      xid,
      purchase: {
        brandID: "Visa",
        bin: "411111",
        transIDs: hex(i, 200),
        chall_C: hex(i, 40),
        chall_M: hex(i, 40),
        pInitRRPID: `a${xid}`,
      },
      messages: [
        { from: "cardholder", to: "merchant", type: "purchaseInitRequest", der: pInitReq },
        { from: "merchant", to: "cardholder", type: "purchaseInitResponse", der: pInitRes },
      ],
      idempotency: { kind: "PInitReq", key: `a${xid}`, requestHash: xid, response: pInitRes },
    },
    at,
  );
  await repo.orderByXid(xid);
  await repo.idempotency("PReq", `b${xid}`);
  await repo.commit(
    {
      orderId: order.id,
      expect: "initiated",
      transitions: [
        { to: "purchaseRequested", detail: "PReq verified" },
        { to: "authorizing", detail: "AuthReq sent" },
      ],
      authorization: { authRRPID: `c${xid}`, gateway: "visa" },
      messages: [
        { from: "cardholder", to: "merchant", type: "purchaseRequest", der: pReq },
        { from: "merchant", to: "gateway", type: "authorizationRequest", der: authReq },
      ],
      idempotency: { kind: "PReq", key: `b${xid}`, requestHash: xid },
    },
    at,
  );
  await repo.commit(
    {
      orderId: order.id,
      expect: "authorizing",
      transitions: [{ to: "authorized", detail: "approved" }],
      authorization: { authRRPID: `c${xid}`, gateway: "visa", authCode: "approved" },
      messages: [
        { from: "gateway", to: "merchant", type: "authorizationResponse", der: authRes },
        { from: "merchant", to: "cardholder", type: "purchaseResponse", der: pRes },
      ],
      idempotency: { kind: "PReq", key: `b${xid}`, requestHash: xid, response: pRes },
    },
    at,
  );
}

async function rate(repo: SqliteRepository, lanes: number, first: number): Promise<void> {
  let next = first;
  const start = performance.now();
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const lane = async () => {
    while (performance.now() - start < seconds * 1000) await purchase(repo, next++);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  const ms = performance.now() - start;
  // Busy is all but the loop's idle time: a synchronous fsync never lets the loop go idle.
  const busy = ms - performance.eventLoopUtilization(elu).idle;
  const used = process.cpuUsage(cpu);
  const n = next - first;
  console.log(
    `merchant repository, ${lanes} purchase${lanes > 1 ? "s" : ""} in flight: ${((n * 1000) / ms).toFixed(0)} purchases/s = ${((4 * n * 1000) / ms).toFixed(0)} commits/s (${(ms / n).toFixed(2)} ms per purchase; main thread busy ${(busy / n).toFixed(3)} ms and CPU ${((used.user + used.system) / 1000 / n).toFixed(3)} ms per purchase; ${n} purchases)`,
  );
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(baseDir, "setlab-merchant-bench-"));
  console.log(`merchant store bench in ${dir} (${seconds} s per figure)`);
  const repo = new SqliteRepository(path.join(dir, "merchant.sqlite"));
  try {
    await rate(repo, 1, 0);
    await rate(repo, 8, 1_000_000);
  } finally {
    await repo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
