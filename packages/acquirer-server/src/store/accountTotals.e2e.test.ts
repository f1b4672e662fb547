/**
 * The running totals under `kill -9`: a separate process (the built store, as the gateway runs it)
 * authorizes, captures, credits and releases on one card and reports each write once it resolved;
 * it is killed mid-run, and the reopened store's totals equal the full sums, with every reported
 * write in them.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closedAtEnd } from "@setlab/runtime/testing";
import { GatewayStore } from "./gatewayStore";

jest.setTimeout(120_000);

const dist = path.resolve(__dirname, "../../dist/store/gatewayStore.js");

// Each round: an authorization held 300 (lapsing 5 minutes after its creation), every other one
// captured for 200 and credited 50, every third released. Prints the round once all its writes resolved.
const child = `
const { GatewayStore } = require(${JSON.stringify(dist)});
const store = GatewayStore.open(process.argv[1]);
store.seedAccounts([{ cardId: "visa-k", brand: "Visa", pan: "4111110000000005", expiry: "209912",
  outcome: "approve", currency: 392, creditLimit: 1e12 }]);
const hex = (n) => n.toString(16).padStart(40, "0");
const bytes = Uint8Array.of(0x30, 0);
(async () => {
  for (let i = 0; ; i++) {
    const now = new Date(Date.UTC(2031, 0, 1) + i * 60_000);
    const created = now.toISOString();
    const id = hex(4 * i + 1);
    await store.recordAuthorization({ authRRPID: id, xid: id, merchantID: "M", brand: "Visa", amount: 300,
      currency: 392, amtExp10: 0, authCode: "approved", held: 300, cardId: "visa-k", requestHash: id,
      response: bytes, holdUntil: new Date(now.getTime() + 5 * 60_000).toISOString(), created });
    if (i % 2 === 0) {
      const capRRPID = hex(4 * i + 2);
      await store.recordCapture({ capRRPID, merchantID: "M", requestHash: "00", response: bytes, created },
        [{ authRRPID: id, capRRPID, amount: 200, currency: 392, cardId: "visa-k", created }]);
      const rrpid = hex(4 * i + 3);
      await store.recordCapRevOrCred({ rrpid, kind: "credit", merchantID: "M", requestHash: "00", response: bytes,
        created }, [{ authRRPID: id, kind: "credit", reqDate: created, amount: 50, currency: 392, cardId: "visa-k" }]);
    } else if (i % 3 === 0) await store.releaseHold(id, now);
    process.stdout.write(i + "\\n");
  }
})();
`;

it("killed with SIGKILL in the middle of a run: after reopening, the totals equal the full sums and hold every write that resolved", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-totals-kill-"));
  const file = path.join(dir, "gateway.sqlite");
  try {
    const proc = spawn(process.execPath, ["-e", child, file], { stdio: ["ignore", "pipe", "inherit"] });
    let done = -1;
    await new Promise<void>((resolve, reject) => {
      proc.on("exit", () => resolve());
      proc.on("error", reject);
      proc.stdout.on("data", (chunk: Buffer) => {
        for (const line of chunk.toString().split("\n").filter(Boolean)) done = Number(line);
        if (done >= 40) proc.kill("SIGKILL");
      });
    });
    expect(done).toBeGreaterThanOrEqual(40);
    const store = closedAtEnd(GatewayStore.open(file));
    try {
      const rounds = Number(
        (
          (store as unknown as { db: import("better-sqlite3").Database }).db
            .prepare("SELECT COUNT(*) AS n FROM authorizations")
            .get() as { n: number }
        ).n,
      );
      expect(rounds).toBeGreaterThan(done);
      // Posted: 150 per even round that got as far as its credit (all but perhaps the last one).
      const posted = store.postedOf("visa-k");
      expect(posted).toBeGreaterThanOrEqual(150 * Math.ceil((done + 1) / 2));
      const last = Date.UTC(2031, 0, 1) + (rounds - 1) * 60_000;
      for (const minutes of [-7, -3, 0, 1, 4, 6, 60]) {
        const at = new Date(last + minutes * 60_000);
        const { held } = store.account("visa-k", at)!;
        expect({ at, held, posted }).toEqual({ at, ...store.fullSums("visa-k", at) });
      }
      // Live at the last round's time: the uncaptured, unreleased holds of the last five minutes.
      expect(store.account("visa-k", new Date(last))!.held).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
