/**
 * The phone's limits against a stranger on the same machine, in process over real TCP (an applet
 * without cards: only the link is under test). Only a wrong code locks pairing: HELLO-and-hang-up
 * floods, stalls, malformed messages and PCs that leave do not, and none of them blocks a real
 * pairing or a bonded resumption. Wrong codes still lock out, with a doubling lockout that refused
 * attempts do not extend. Connections, handshakes, frames and idle links are bounded.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import {
  defaultProvider,
  encodeFrame,
  FrameReader,
  INS,
  MAX_HANDSHAKE_FRAME,
  nodeProvider,
  PcHandshake,
  SW,
} from "@setlab/protocol";
import {
  type LinkLimits,
  type PairingOptions,
  PcCardLink,
  type PhoneCardLink,
  startPhoneCardLink,
} from "@setlab/protocol/card-link";
import { createLogger } from "@setlab/runtime";
import { CardApplet } from "../card/applet";
import { autoApprove } from "../card/confirmation";
import { PhoneBondStore } from "./bondStore";

const CODE = "112358";
const servers: PhoneCardLink[] = [];
const sockets: net.Socket[] = [];

async function phone(pairing: PairingOptions, limits: LinkLimits = {}) {
  const applet = new CardApplet([], { p: nodeProvider(), confirm: autoApprove });
  let text = "";
  const logger = createLogger("phone", {
    level: "debug",
    destination: new Writable({
      write(chunk, _enc, done) {
        text += chunk;
        done();
      },
    }),
  });
  const s = await startPhoneCardLink(applet, { pairing: { code: CODE, ...pairing }, limits, logger });
  servers.push(s);
  return {
    port: s.port,
    log: () => text,
    lines: () =>
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => s.close()));
});

/** Connect, send `frames`, and collect what comes back until the phone closes (or `leave` after the first answer). */
function exchange(port: number, frames: Uint8Array[], leave = false): Promise<Uint8Array[]> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: "127.0.0.1", port });
    const reader = new FrameReader();
    const got: Uint8Array[] = [];
    socket.on("data", (d) => {
      got.push(...reader.push(new Uint8Array(d)));
      if (leave) socket.destroy();
    });
    socket.on("close", () => resolve(got));
    socket.on("error", () => {});
    for (const f of frames) socket.write(encodeFrame(f));
  });
}

/**
 * A connection that sends `bytes` and then stalls; resolves once sent, or once the phone answered
 * (`answered`, for a whole HELLO) or closed.
 */
function stall(
  port: number,
  bytes: Uint8Array,
  answered = false,
): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: "127.0.0.1", port });
    sockets.push(socket);
    const closed = new Promise<void>((r) => socket.on("close", () => r()));
    socket.on("error", () => {});
    let told = false;
    const tell = () => {
      if (told) return;
      told = true;
      resolve({ socket, closed });
    };
    socket.on("data", tell);
    socket.on("close", tell);
    socket.on("connect", () => {
      socket.write(bytes);
      if (!answered) tell();
    });
  });
}

async function hello(): Promise<Uint8Array> {
  return (await new PcHandshake(defaultProvider, CODE).start()).send[0];
}

const pairNow = (port: number, code = CODE) =>
  PcCardLink.connect("127.0.0.1", port, { pairingCode: code }).then(
    async (c) => {
      const r = await c.transmit({ ins: INS.SELECT, data: new TextEncoder().encode("none") });
      await c.close();
      return r.sw === SW.NO_SUCH_CARD ? "paired" : `sw ${r.sw}`;
    },
    (e) => ((e as { link?: string }).link ?? (e as Error).message) as string,
  );

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
}

describe("what does not count towards the lockout: nothing that proves no code", () => {
  test("a pairing that does not finish in time", async () => {
    const p = await phone({ timeoutMs: 1000, maxFailures: 1, lockoutMs: 600_000 });
    const answers = await exchange(p.port, [await hello()]);
    // The phone's HELLO, then the close at the timeout (long enough that the real pairing below
    // finishes inside it on a loaded machine).
    expect(answers).toHaveLength(1);
    expect(p.lines().find((l) => l.msg === "pairing failed")).toMatchObject({ counted: false });
    expect(await pairNow(p.port)).toBe("paired");
  });

  test("a flood of HELLO-and-hang-up connections (the attack that locked the owner out)", async () => {
    const p = await phone({ maxFailures: 3, lockoutMs: 600_000 });
    for (let round = 0; round < 4; round++)
      await Promise.all(Array.from({ length: 10 }, async () => exchange(p.port, [await hello()], true)));
    await waitFor(() => p.lines().filter((l) => l.msg === "pairing failed").length === 40);
    for (const l of p.lines().filter((l) => l.msg === "pairing failed")) expect(l.counted).toBe(false);
    expect(p.log()).not.toContain("refused for");
    expect(await pairNow(p.port)).toBe("paired");
  });

  test("HELLO and a COMMIT, then silence or a hang-up: a commitment is not a proof until it is opened", async () => {
    const p = await phone({ maxFailures: 1, lockoutMs: 600_000 });
    const pc = new PcHandshake(defaultProvider, CODE);
    const [h] = (await pc.start()).send;
    const socket = net.createConnection({ host: "127.0.0.1", port: p.port });
    const reader = new FrameReader();
    await new Promise<void>((resolve) => {
      socket.on("data", async (d) => {
        for (const f of reader.push(new Uint8Array(d))) {
          if (f[0] === 0x01) {
            const step = await pc.step(f);
            socket.write(encodeFrame(step.send[0])); // the first COMMIT
          } else if (f[0] === 0x02) socket.destroy(); // the phone's COMMIT: leave
        }
      });
      socket.on("close", () => resolve());
      socket.write(encodeFrame(h));
    });
    await waitFor(() => p.log().includes("the PC left during the pairing"));
    expect(await pairNow(p.port)).toBe("paired");
  });

  test("a malformed message or an ALERT after HELLO", async () => {
    const p = await phone({ maxFailures: 1, lockoutMs: 600_000 });
    expect(await exchange(p.port, [await hello(), Uint8Array.of(0x03, 1, 2)])).toHaveLength(2);
    expect(await exchange(p.port, [await hello(), Uint8Array.of(0x05, 1)])).toHaveLength(2);
    expect(p.lines().filter((l) => l.msg === "pairing failed" && l.counted === false)).toHaveLength(2);
    expect(await pairNow(p.port)).toBe("paired");
  });

  test("a connection that never sends a HELLO", async () => {
    const p = await phone({ maxFailures: 1, lockoutMs: 600_000 });
    expect(await exchange(p.port, [Uint8Array.of(0x80, INS.GET_STATUS, 0, 0, 0, 0, 0, 0)])).toEqual([]);
    expect(await exchange(p.port, [Uint8Array.of(0x01, 2, 3)])).toEqual([]);
    expect(await pairNow(p.port)).toBe("paired");
  });
});

describe("wrong codes still lock out", () => {
  test("below the limit, pairings go on; a success resets the count", async () => {
    const p = await phone({ maxFailures: 2, lockoutMs: 600_000 });
    expect(await pairNow(p.port, "112359")).toBe("pairing");
    expect(await pairNow(p.port)).toBe("paired");
    expect(await pairNow(p.port, "112359")).toBe("pairing");
    expect(await pairNow(p.port)).toBe("paired");
    expect(await pairNow(p.port, "112359")).toBe("pairing");
    expect(await pairNow(p.port, "012358")).toBe("pairing"); // wrong at the first bit
    expect(await pairNow(p.port)).toBe("locked");
    expect(p.log()).toContain("2 wrong pairing codes in a row: new pairings refused for 600000 ms");
  });

  test("attempts refused during the lockout do not extend it; the next lockout doubles", async () => {
    const p = await phone({ maxFailures: 1, lockoutMs: 200 });
    expect(await pairNow(p.port, "000000")).toBe("pairing");
    for (let i = 0; i < 5; i++) {
      const r = await pairNow(p.port);
      if (r !== "locked") break; // the 200 ms may be over on a slow machine: that is all this can tell
    }
    const lockouts = () => p.lines().filter((l) => typeof l.lockoutMs === "number");
    expect(lockouts().map((l) => l.lockoutMs)).toEqual([200]);
    for (let i = 0; i < 250 && (await pairNow(p.port, "000000")) === "locked"; i++)
      await new Promise((r) => setTimeout(r, 20));
    await waitFor(() => lockouts().length === 2);
    expect(lockouts().map((l) => l.lockoutMs)).toEqual([200, 400]);
  });

  test("an attempt begun before a lockout has no proof checked during it: parallel attempts do not multiply the guesses", async () => {
    const p = await phone({ maxFailures: 1, lockoutMs: 600_000 });
    // attempt A, with the right code, goes as far as its first REVEAL and waits there
    const pc = new PcHandshake(defaultProvider, CODE);
    const socket = net.createConnection({ host: "127.0.0.1", port: p.port });
    sockets.push(socket);
    const reader = new FrameReader();
    const frames: Uint8Array[] = [];
    const closed = new Promise<void>((r) => socket.on("close", () => r()));
    let reveal: Uint8Array | undefined;
    const revealReady = new Promise<void>((resolve) => {
      socket.on("data", async (d) => {
        for (const f of reader.push(new Uint8Array(d))) {
          frames.push(f);
          if (reveal) continue;
          const step = await pc.step(f);
          if (f[0] === 0x02) {
            reveal = step.send[0]; // held back
            resolve();
          } else for (const out of step.send) socket.write(encodeFrame(out));
        }
      });
    });
    socket.write(encodeFrame((await pc.start()).send[0]));
    await revealReady;
    // meanwhile a wrong code locks pairing
    expect(await pairNow(p.port, "000000")).toBe("pairing");
    // A's proof is not checked: ALERT(locked), and it counts for nothing
    socket.write(encodeFrame(reveal!));
    await closed;
    expect(frames.at(-1)).toEqual(Uint8Array.of(0x05, 2));
    expect(p.lines().filter((l) => l.msg === "pairing refused: too many wrong codes")).toHaveLength(1);
    expect(p.lines().filter((l) => typeof l.lockoutMs === "number")).toHaveLength(1);
  });
});

describe("stalled handshakes cannot hold the door shut", () => {
  test("16 connections that HELLO and stall: a real pairing and a bonded resumption still get in", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-limits-"));
    const bonds = PhoneBondStore.open(dir, { provider: defaultProvider, passphrase: "limits test" });
    const p = await phone({ bonds }, { maxHandshakes: 4 });
    const keep = await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE, keepBond: true });
    await keep.close();
    const bond = keep.bond!;
    const stalled = await Promise.all(
      Array.from({ length: 16 }, async () => stall(p.port, encodeFrame(await hello()), true)),
    );
    expect(await pairNow(p.port)).toBe("paired");
    const resumed = await PcCardLink.connect("127.0.0.1", p.port, { bond });
    expect(resumed.mode).toBe("resumed");
    await resumed.close();
    // the stalest were displaced, and not counted
    await Promise.all(stalled.slice(0, 12).map((s) => s.closed));
    expect(p.log()).toContain("displaced: 4 connections not yet paired or resumed");
    expect(p.log()).not.toContain("refused for");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a connection that sends nothing is closed at the opening deadline", async () => {
    const p = await phone({}, { openingTimeoutMs: 100 });
    const s = await stall(p.port, new Uint8Array(0));
    await s.closed;
    expect(p.log()).toContain("not opened within 100 ms");
  });
});

describe("memory and time per connection and in all", () => {
  test("before pairing, a length prefix over the longest handshake message is refused before any of the frame", async () => {
    const p = await phone({});
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setUint32(0, MAX_HANDSHAKE_FRAME + 1);
    const s = await stall(p.port, prefix);
    await s.closed;
    expect(p.log()).toContain("oversize frame");
    const big = new Uint8Array(4);
    new DataView(big.buffer).setUint32(0, 1024 * 1024);
    await (await stall(p.port, big)).closed;
  });

  test("a frame not complete in time closes the connection", async () => {
    const p = await phone({}, { frameTimeoutMs: 100 });
    const h = encodeFrame(await hello());
    const s = await stall(p.port, h.subarray(0, 10));
    await s.closed;
    expect(p.log()).toContain("a frame not complete within 100 ms");
  });

  test("a paired link with no command is closed at the idle deadline", async () => {
    const p = await phone({}, { idleTimeoutMs: 150 });
    const c = await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE });
    expect((await c.transmit({ ins: INS.SELECT, data: new TextEncoder().encode("none") })).sw).toBe(
      SW.NO_SUCH_CARD,
    );
    await waitFor(() => p.log().includes("no command for 150 ms"));
    expect(await c.transmit({ ins: INS.GET_STATUS }).catch((e) => (e as { kind: string }).kind)).toBe(
      "closed",
    );
  });

  test("at most maxConnections links: one more is refused, a handshake is never let in over it", async () => {
    const p = await phone({}, { maxConnections: 2, maxHandshakes: 2 });
    const a = await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE });
    const b = await PcCardLink.connect("127.0.0.1", p.port, { pairingCode: CODE });
    expect(await pairNow(p.port)).not.toBe("paired");
    expect(p.log()).toContain("card link connection refused: too many open links");
    await a.close();
    await waitFor(() => p.lines().filter((l) => l.msg === "card link closed").length >= 1);
    expect(await pairNow(p.port)).toBe("paired");
    await b.close();
  });
});
