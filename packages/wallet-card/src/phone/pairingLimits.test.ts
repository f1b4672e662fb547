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
  webCryptoProvider,
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
import { PairingCodeFile } from "./pairingCodeFile";
import { pairingReopenRequested, requestPairingReopen } from "./pairingReopen";

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

/**
 * A pairing attempt with the right code that goes as far as its first REVEAL and holds it back;
 * `sendReveal` sends it and resolves when the phone has closed the connection.
 */
async function attemptHeldAtReveal(port: number) {
  const pc = new PcHandshake(defaultProvider, CODE);
  const socket = net.createConnection({ host: "127.0.0.1", port });
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
          reveal = step.send[0];
          resolve();
        } else for (const out of step.send) socket.write(encodeFrame(out));
      }
    });
  });
  socket.write(encodeFrame((await pc.start()).send[0]));
  await revealReady;
  return {
    frames,
    sendReveal: async () => {
      socket.write(encodeFrame(reveal!));
      await closed;
    },
  };
}

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
    // The longest lockout far off, so no quiet spell resets the doubling on a slow machine.
    const p = await phone({ maxFailures: 1, lockoutMs: 200, maxLockoutMs: 600_000 });
    expect(await pairNow(p.port, "000000")).toBe("pairing");
    // HELLOs during the lockout are refused (ALERT locked); once it is over (200 ms may pass on a
    // slow machine) a HELLO and a hang-up proves nothing either way, and no pairing succeeds to
    // reset the doubling.
    for (let i = 0; i < 5; i++) await exchange(p.port, [await hello()], true);
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
    const a = await attemptHeldAtReveal(p.port);
    // meanwhile a wrong code locks pairing
    expect(await pairNow(p.port, "000000")).toBe("pairing");
    // A's proof is not checked: ALERT(locked), and it counts for nothing
    await a.sendReveal();
    expect(a.frames.at(-1)).toEqual(Uint8Array.of(0x05, 2));
    expect(p.lines().filter((l) => l.msg === "pairing refused: too many wrong codes")).toHaveLength(1);
    expect(p.lines().filter((l) => typeof l.lockoutMs === "number")).toHaveLength(1);
  });
});

describe("the lockout is no switch against the owner", () => {
  /** A phone data directory and its code file, as `set-phone serve --pairing-code-file` has them. */
  const owned = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-owner-"));
    const file = path.join(dir, "phone-pairing-code");
    fs.writeFileSync(file, `${CODE}\n`, { mode: 0o600 });
    return { dir, file, code: () => PairingCodeFile.read(file), source: new PairingCodeFile(file) };
  };

  test("the owner ends a lockout at once from the phone (set-phone pair), and pairs with the code in its file", async () => {
    const o = owned();
    const p = await phone({
      code: o.source,
      reopened: () => pairingReopenRequested(o.dir),
      maxFailures: 2,
      lockoutMs: 600_000,
    });
    expect(await pairNow(p.port, "000000")).toBe("pairing");
    expect(await pairNow(p.port, "000001")).toBe("pairing");
    expect(await pairNow(p.port, o.code())).toBe("locked");
    requestPairingReopen(o.dir);
    expect(await pairNow(p.port, o.code())).toBe("paired");
    expect(p.log()).toContain("pairing reopened by the owner: lockout ended");
    // The request was taken once: the stranger's next wrong codes lock again, and reopening needs the owner again.
    expect(fs.existsSync(path.join(o.dir, "pairing-reopen"))).toBe(false);
    expect(await pairNow(p.port, "000000")).toBe("pairing");
    expect(await pairNow(p.port, "000001")).toBe("pairing");
    expect(await pairNow(p.port, o.code())).toBe("locked");
    fs.rmSync(o.dir, { recursive: true, force: true });
  });

  test("a request the phone's user does not own, or that is no file, reopens nothing", () => {
    const o = owned();
    const request = path.join(o.dir, "pairing-reopen");
    fs.mkdirSync(request);
    expect(pairingReopenRequested(o.dir)).toBe(false);
    fs.rmdirSync(request);
    if (process.getuid?.() === 0) {
      // Another user's file (only a data directory others can write lets one in): removed, not honoured.
      requestPairingReopen(o.dir);
      fs.chownSync(request, 65534, 65534);
      expect(pairingReopenRequested(o.dir)).toBe(false);
      expect(fs.existsSync(request)).toBe(false);
    }
    requestPairingReopen(o.dir);
    expect(fs.statSync(path.join(o.dir, "pairing-reopen")).mode & 0o777).toBe(0o600);
    expect(pairingReopenRequested(o.dir)).toBe(true);
    expect(pairingReopenRequested(o.dir)).toBe(false);
    expect(() => requestPairingReopen(path.join(o.dir, "none"))).toThrow(/not a phone data directory/);
    fs.rmSync(o.dir, { recursive: true, force: true });
  });

  test("every wrong code spends the code file's code: the phone writes a fresh one (0600), and the old one no longer pairs", async () => {
    const o = owned();
    const p = await phone({ code: o.source, maxFailures: 10, lockoutMs: 600_000 });
    expect(await pairNow(p.port, "000000")).toBe("pairing");
    const renewed = o.code();
    expect(renewed).not.toBe(CODE);
    expect(fs.statSync(o.file).mode & 0o777).toBe(0o600);
    expect(p.log()).toContain("pairing code spent: new pairings use the next one");
    expect(p.log()).not.toContain(renewed);
    // What the stranger tried against is gone: even the right old code is a wrong code now.
    expect(await pairNow(p.port, CODE)).toBe("pairing");
    expect(await pairNow(p.port, o.code())).toBe("paired");
    // A success spends nothing.
    const kept = o.code();
    expect(await pairNow(p.port, kept)).toBe("paired");
    expect(o.code()).toBe(kept);
    fs.rmSync(o.dir, { recursive: true, force: true });
  });

  test("an attempt on a code spent meanwhile checks no further proof (uncounted): parallel attempts cannot go on learning a code", async () => {
    const o = owned();
    const p = await phone({ code: o.source, maxFailures: 3, lockoutMs: 600_000 });
    // attempt A, with the right code, goes as far as its first REVEAL and waits there
    const a = await attemptHeldAtReveal(p.port);
    expect(await pairNow(p.port, "000000")).toBe("pairing"); // spends the code A holds
    await a.sendReveal();
    expect(a.frames.at(-1)).toEqual(Uint8Array.of(0x05, 1));
    expect(p.lines().find((l) => l.msg === "pairing refused: its code was spent meanwhile")).toMatchObject({
      counted: false,
    });
    // One wrong code counted, no lockout.
    expect(p.log()).not.toContain("refused for");
    fs.rmSync(o.dir, { recursive: true, force: true });
  });
});

describe("a HELLO flood cannot make the phone generate key pairs without bound", () => {
  /** Node's WebCrypto behind a wrapper (the WebCrypto path), counting the key pairs generated. */
  const counting = () => {
    const c = globalThis.crypto;
    let keyPairs = 0;
    const subtle = new Proxy(c.subtle, {
      get(target, name) {
        const f = Reflect.get(target, name) as (...a: unknown[]) => unknown;
        if (name === "generateKey")
          return (...a: unknown[]) => {
            keyPairs++;
            return f.apply(target, a);
          };
        return typeof f === "function" ? f.bind(target) : f;
      },
    });
    const crypto = {
      subtle,
      getRandomValues: <T extends ArrayBufferView<ArrayBuffer>>(a: T) => c.getRandomValues(a),
    };
    return { provider: webCryptoProvider("counting", crypto as unknown as Crypto), keyPairs: () => keyPairs };
  };

  test("beyond the budget a HELLO gets ALERT(busy) before any key pair, uncounted; a bonded resumption still gets in", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-budget-"));
    const bonds = PhoneBondStore.open(dir, { provider: defaultProvider, passphrase: "budget test" });
    const c = counting();
    const applet = new CardApplet([], { p: nodeProvider(), confirm: autoApprove });
    const s = await startPhoneCardLink(applet, {
      provider: c.provider,
      pairing: { code: CODE, bonds, maxFailures: 1, lockoutMs: 600_000 },
      // No refill within the test: three pairings' key pairs, then none.
      limits: { pairingBurst: 3, pairingsPerSecond: 0.001 },
    });
    servers.push(s);
    const keep = await PcCardLink.connect("127.0.0.1", s.port, { pairingCode: CODE, keepBond: true });
    await keep.close();
    expect(await exchange(s.port, [await hello()], true)).toEqual([expect.objectContaining({ 0: 0x01 })]);
    expect(await pairNow(s.port)).toBe("paired");
    const before = c.keyPairs();
    expect(await exchange(s.port, [await hello()])).toEqual([Uint8Array.of(0x05, 4)]);
    expect(await pairNow(s.port)).toBe("busy");
    expect(c.keyPairs()).toBe(before);
    const resumed = await PcCardLink.connect("127.0.0.1", s.port, { bond: keep.bond! });
    expect(resumed.mode).toBe("resumed");
    await resumed.close();
    expect(c.keyPairs()).toBe(before + 1);
    fs.rmSync(dir, { recursive: true, force: true });
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
