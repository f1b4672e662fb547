/**
 * `node packages/wallet-card/dist/phone/stateWriteBench.js`: what the phone's card state writes
 * cost under the lab's load shape (concurrent purchases on two cards, three awaited state changes
 * per purchase, a state of eight remembered purchases as a busy card has), all off the event loop
 * and grouped per card: the whole file replaced by rename (the phone before `state.slots`) versus
 * the two slots overwritten in place (as `loadCard` does now, cardStateFile.ts). It prints writes
 * per purchase, CPU per purchase (all threads, so the writer thread's share counts too) and the
 * event loop's delay, which is what the other sessions on the phone wait.
 *
 * Environment: BENCH_PURCHASES (default 300), BENCH_CONCURRENCY (default 8), BENCH_GAP_MS (the
 * purchase's other work between two state changes, default 2).
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { CardState } from "../card/cardData";
import type { RememberedPurchase } from "../card/purchaseMemory";
import { writeFileAtomicAsync } from "./atomicFile";
import { canonicalState, openCardState, STATE_FILE, writeCardState } from "./cardStateFile";
import { StateCommit } from "./stateCommit";

const PURCHASES = Number(process.env.BENCH_PURCHASES ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 2);
const CARDS = ["bench-a", "bench-b"];
const PHASES = ["initialized", "purchaseSent", "completed"];

type Persist = (state: CardState) => Promise<void>;

/** Eight remembered purchases, each with a merchant certificate of 1.2 KB: about 21 KB of state. */
const purchases: RememberedPurchase[] = Array.from({ length: 8 }, (_, i) => ({
  xid: randomBytes(20).toString("hex"),
  transIDs: randomBytes(80).toString("hex"),
  chall_C: randomBytes(20).toString("hex"),
  merchantCertificate: randomBytes(1200).toString("hex"),
  purchAmt: { currency: 392, amount: 1000 + i, amtExp10: 0 },
  signed: true,
  completionCode: "orderAccepted",
  at: new Date(0).toISOString(),
}));

async function run(name: string, inPlace: boolean): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-state-bench-"));
  // A random key: the bench's state files hold no card and outlive nothing.
  const stateKey = randomBytes(32);
  let writes = 0;
  const persist = new Map<string, Persist>();
  for (const id of CARDS) {
    const cardDir = path.join(dataDir, "cards", id);
    fs.mkdirSync(cardDir, { recursive: true, mode: 0o700 });
    writeCardState(cardDir, id, { pinTriesLeft: 3, locked: false }, stateKey);
    const { write } = openCardState(cardDir, id, stateKey);
    const renamed = (s: CardState) => writeFileAtomicAsync(path.join(cardDir, STATE_FILE), canonicalState(s));
    const group = new StateCommit<CardState>((s) => {
      writes++;
      return inPlace ? write(s) : renamed(s);
    });
    persist.set(id, (s) => group.commit(s));
  }
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let next = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      const write = persist.get(CARDS[worker % CARDS.length]) as Persist;
      for (let n = next++; n < PURCHASES; n = next++)
        for (const phase of PHASES) {
          await new Promise((r) => setTimeout(r, GAP_MS));
          await write({
            pinTriesLeft: 3,
            locked: false,
            lastTransaction: { xid: String(n), merchantName: "bench", merID: "bench", phase, at: "" },
            purchases,
          });
        }
    }),
  );
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  delay.disable();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const per = (us: number) => (us / 1000 / PURCHASES).toFixed(2);
  console.log(
    `${name.padEnd(28)} ${(writes / PURCHASES).toFixed(2).padStart(6)} ${per(cpu.user + cpu.system).padStart(8)}` +
      ` ${per(cpu.system).padStart(6)} ${(delay.percentile(99) / 1e6).toFixed(1).padStart(9)}` +
      ` ${(delay.max / 1e6).toFixed(1).padStart(9)} ${((PURCHASES / wallMs) * 1000).toFixed(0).padStart(8)}`,
  );
}

async function main(): Promise<void> {
  console.log(
    `card state writes: ${PURCHASES} purchases at concurrency ${CONCURRENCY} on ${CARDS.length} cards, ${PHASES.length} state changes each, ${GAP_MS} ms apart`,
  );
  console.log(
    `${"".padEnd(28)} ${"writes".padStart(6)} ${"CPU ms".padStart(8)} ${"sys ms".padStart(6)} ${"loop p99".padStart(9)} ${"loop max".padStart(9)} ${"purch/s".padStart(8)}`,
  );
  await run("whole file, renamed", false);
  await run("two slots, in place", true);
  console.log("writes, CPU ms, sys ms: per purchase; loop p99/max: event-loop delay in ms");
}

void main();
