/**
 * The phone's secure card link as a real process (`set-phone serve`) over real TCP with real
 * crypto: pairing by the code, refusals (wrong code, unpaired commands, a man in the middle),
 * records that are replayed, reordered, flipped, truncated or from another session, the
 * failed-pairing lockout, the random code shown on the phone's screen, and bonds (`set-phone
 * bonds`, `unbond`, a resumption after a restart).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  bondIdHex,
  ContentType,
  decodeResponse,
  defaultProvider,
  encodeCardData,
  encodeCommand,
  encodeFrame,
  FrameReader,
  INS,
  PcHandshake,
  PhoneHandshake,
  type SecureSession,
  SW,
} from "@setlab/protocol";
import { PcCardLink } from "@setlab/protocol/card-link";
import { type StartedParty, startParty } from "@setlab/runtime";
import { personalizedPhone, phoneCli } from "./personalizedPhone.test-helper";

const utf8 = (s: string) => new TextEncoder().encode(s);
const CODE = "271828";

let tmp: string;
let dataDir: string;
let phone: StartedParty;
let port: number;

const portOf = (p: StartedParty) => Number(new URL(p.url.replace("tcp:", "http:")).port);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-link-"));
  dataDir = personalizedPhone(tmp);
  phone = await startParty(phoneCli, [
    "serve",
    "--data",
    dataDir,
    "--port",
    "0",
    "--confirm",
    "auto",
    "--pairing-code",
    CODE,
  ]);
  port = portOf(phone);
}, 240_000);

afterAll(async () => {
  await phone?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A socket with a frame queue: `next()` is the next frame, or "closed" once the phone hung up. */
function frameSocket(p: number) {
  return new Promise<{
    socket: net.Socket;
    send(frame: Uint8Array): void;
    next(): Promise<Uint8Array | "closed">;
  }>((resolve, reject) => {
    const socket = net.createConnection({ host: "127.0.0.1", port: p });
    const reader = new FrameReader();
    const frames: Uint8Array[] = [];
    const waiting: ((f: Uint8Array | "closed") => void)[] = [];
    let closed = false;
    socket.on("data", (d) => {
      for (const f of reader.push(new Uint8Array(d))) {
        const w = waiting.shift();
        if (w) w(f);
        else frames.push(f);
      }
    });
    socket.on("close", () => {
      closed = true;
      for (const w of waiting.splice(0)) w("closed");
    });
    socket.on("error", () => {});
    socket.once("connect", () =>
      resolve({
        socket,
        send: (f) => socket.write(encodeFrame(f)),
        next: () => {
          const f = frames.shift();
          if (f) return Promise.resolve(f);
          if (closed) return Promise.resolve("closed");
          return new Promise((r) => waiting.push(r));
        },
      }),
    );
    socket.once("error", reject);
  });
}

/** A PC paired by hand, so a test can write any record bytes it likes. */
async function pairedPc(p = port, code = CODE) {
  const s = await frameSocket(p);
  const hs = new PcHandshake(defaultProvider, code);
  let step = await hs.start();
  while (!step.session) {
    for (const f of step.send) s.send(f);
    const f = await s.next();
    if (f === "closed") throw new Error("the phone closed the link during pairing");
    step = await hs.step(f);
  }
  const session: SecureSession = step.session;
  return {
    ...s,
    session,
    record: (ins: number, data = new Uint8Array(0)) =>
      session.writer.seal(ContentType.CARD, encodeCommand({ ins, data })),
    async answer(): Promise<ReturnType<typeof decodeResponse> | "closed"> {
      const f = await s.next();
      if (f === "closed") return f;
      return decodeResponse((await session.reader.open(f)).payload);
    },
  };
}

/** Log lines of the phone for one connection (the phone counts connections from 1). */
const logLines = (p: StartedParty) =>
  p
    .stderr()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
/**
 * The commands a connection ran, from its "card session" line (none when no session opened), read
 * once the phone logged the connection closed (the summary comes just before that line).
 */
async function cardCommands(p: StartedParty, session: number): Promise<number> {
  await waitFor(() => logLines(p).some((l) => l.msg === "card link closed" && l.session === session));
  return logLines(p)
    .filter((l) => l.msg === "card session" && l.session === session)
    .flatMap((l) => l.commands as string[]).length;
}
const lastSession = (p: StartedParty) =>
  Math.max(
    ...logLines(p)
      .filter((l) => l.msg === "card link connection")
      .map((l) => l.session as number),
  );

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
}

describe("secure card link, phone process", () => {
  test("pairing with the right code, then card commands in records; the run id reaches the phone's log", async () => {
    const client = await PcCardLink.connect("127.0.0.1", port, {
      pairingCode: CODE,
      runId: "run-abc123",
    });
    try {
      const sel = await client.transmit({ ins: INS.SELECT, data: utf8("visa-approve") });
      expect(sel.sw).toBe(SW.OK);
      expect((await client.transmit({ ins: INS.GET_STATUS })).sw).toBe(SW.OK);
    } finally {
      await client.close();
    }
    await waitFor(() => logLines(phone).some((l) => l.msg === "card session" && l.runId === "run-abc123"));
    const summary = logLines(phone).find((l) => l.msg === "card session" && l.runId === "run-abc123")!;
    expect(summary).toMatchObject({ cardId: "visa-approve", commands: ["SELECT 9000", "GET_STATUS 9000"] });
    // one info line per session: the commands themselves are debug lines
    expect(logLines(phone).filter((l) => l.msg === "card command")).toEqual([]);
    expect(phone.stderr()).toContain("card link paired");
    expect(phone.stderr()).not.toContain(CODE);
  });

  test("a wrong code is refused: the PC learns it, no command runs, the phone logs the failure", async () => {
    const e = await PcCardLink.connect("127.0.0.1", port, { pairingCode: "271829" }).catch((x) => x);
    expect(e).toMatchObject({ kind: "pairing" });
    const session = lastSession(phone);
    await waitFor(() => logLines(phone).some((l) => l.msg === "pairing failed" && l.session === session));
    expect(await cardCommands(phone, session)).toBe(0);
    // a good pairing afterwards resets the failure count (the lockout test below needs 3 in a row)
    const ok = await PcCardLink.connect("127.0.0.1", port, { pairingCode: CODE });
    await ok.close();
  });

  test("an unpaired PC sending raw card commands gets no answer and is closed", async () => {
    const s = await frameSocket(port);
    s.send(encodeCommand({ ins: INS.SELECT, data: utf8("visa-approve") }));
    s.send(encodeCommand({ ins: INS.GET_STATUS }));
    expect(await s.next()).toBe("closed");
    const session = lastSession(phone);
    await waitFor(() =>
      logLines(phone).some((l) => l.msg === "unpaired connection closed" && l.session === session),
    );
    expect(await cardCommands(phone, session)).toBe(0);
  });

  test("a handshake message after HELLO that is a card command ends the pairing without an answer to it", async () => {
    const s = await frameSocket(port);
    const hs = new PcHandshake(defaultProvider, CODE);
    s.send((await hs.start()).send[0]);
    const hello = await s.next();
    expect(hello).not.toBe("closed");
    s.send(encodeCommand({ ins: INS.SELECT, data: utf8("visa-approve") }));
    const alert = await s.next();
    expect(alert).toEqual(Uint8Array.of(0x05, 0x01));
    expect(await s.next()).toBe("closed");
    // keep the failure count from reaching the lockout
    await (await PcCardLink.connect("127.0.0.1", port, { pairingCode: CODE })).close();
  });

  test("a flight of records written together runs in order, each answered in turn", async () => {
    const pc = await pairedPc();
    // GET_STATUS before SELECT is out of order; after it, the card answers it.
    const records = [
      await pc.record(INS.GET_STATUS),
      await pc.record(INS.SELECT, utf8("visa-approve")),
      await pc.record(INS.GET_STATUS),
    ];
    pc.socket.write(Buffer.concat(records.map(encodeFrame)));
    expect(await pc.answer()).toMatchObject({ sw: SW.OUT_OF_ORDER });
    expect(await pc.answer()).toMatchObject({ sw: SW.OK });
    expect(await pc.answer()).toMatchObject({ sw: SW.OK });
    pc.socket.destroy();
  });

  test("a replayed record is rejected and ends the session: the command does not run twice", async () => {
    const pc = await pairedPc();
    const session = lastSession(phone);
    const select = await pc.record(INS.SELECT, utf8("visa-approve"));
    pc.send(select);
    expect(await pc.answer()).toMatchObject({ sw: SW.OK });
    pc.send(select);
    expect(await pc.next()).toBe("closed");
    await waitFor(() =>
      logLines(phone).some((l) => l.msg === "card link record refused: link closed" && l.session === session),
    );
    expect(await cardCommands(phone, session)).toBe(1);
  });

  test("a reordered record is rejected and ends the session", async () => {
    const pc = await pairedPc();
    const session = lastSession(phone);
    const first = await pc.record(INS.SELECT, utf8("visa-approve"));
    const second = await pc.record(INS.GET_STATUS);
    pc.send(second);
    pc.send(first);
    expect(await pc.next()).toBe("closed");
    await waitFor(() =>
      logLines(phone).some((l) => l.msg === "card link record refused: link closed" && l.session === session),
    );
    expect(await cardCommands(phone, session)).toBe(0);
  });

  test("a record with one bit flipped is rejected and ends the session", async () => {
    const pc = await pairedPc();
    const session = lastSession(phone);
    const r = await pc.record(INS.SELECT, utf8("visa-approve"));
    r[12] ^= 0x04;
    pc.send(r);
    expect(await pc.next()).toBe("closed");
    expect(await cardCommands(phone, session)).toBe(0);
  });

  test("a truncated record is rejected and ends the session", async () => {
    const pc = await pairedPc();
    const session = lastSession(phone);
    const r = await pc.record(INS.SELECT, utf8("visa-approve"));
    pc.send(r.subarray(0, r.length - 3));
    expect(await pc.next()).toBe("closed");
    expect(await cardCommands(phone, session)).toBe(0);
  });

  test("a record of an unknown content type ends the session; a malformed run id is not logged", async () => {
    const pc = await pairedPc();
    const session = lastSession(phone);
    // a run id the log does not take (a space, braces), then a context that is not a SessionContext
    const context = encodeCardData("SessionContext", { runId: "bad id {}" });
    pc.send(await pc.session.writer.seal(ContentType.CONTEXT, context));
    pc.send(await pc.session.writer.seal(ContentType.CONTEXT, utf8('{"runId":"run-json"}')));
    pc.send(await pc.record(INS.SELECT, utf8("visa-approve")));
    expect(await pc.answer()).toMatchObject({ sw: SW.OK });
    pc.send(await pc.session.writer.seal(0x09, encodeCommand({ ins: INS.GET_STATUS })));
    expect(await pc.next()).toBe("closed");
    await waitFor(() =>
      logLines(phone).some((l) => l.msg === "unknown record type: link closed" && l.session === session),
    );
    expect(await cardCommands(phone, session)).toBe(1);
    expect(logLines(phone).filter((l) => l.session === session && "runId" in l)).toEqual([]);
  });

  test("keys differ per connection: a record of one session is rejected by another", async () => {
    const a = await pairedPc();
    const b = await pairedPc();
    expect(Buffer.from(a.session.sessionId).equals(Buffer.from(b.session.sessionId))).toBe(false);
    const fromA = await a.record(INS.SELECT, utf8("visa-approve"));
    b.send(fromA);
    expect(await b.next()).toBe("closed");
    a.send(fromA);
    expect(await a.answer()).toMatchObject({ sw: SW.OK });
    a.socket.destroy();
  });

  test("an active man in the middle with its own ECDH keys, relaying the pairing rounds, fails to pair", async () => {
    // The MITM listens for the PC and talks to the phone; towards each it runs the handshake with
    // its own key pair and relays the honest commitments and reveals between them.
    const failuresBefore = logLines(phone).filter((l) => l.msg === "pairing failed").length;
    const sessionBefore = lastSession(phone);
    const mitm = net.createServer(async (pcSocket) => {
      pcSocket.on("error", () => {});
      const toPhone = await frameSocket(port);
      const asPc = new PcHandshake(defaultProvider, "000000");
      const asPhone = new PhoneHandshake(defaultProvider, "000000");
      const reader = new FrameReader();
      let first = true;
      let chain: Promise<void> = Promise.resolve();
      const relayPhone = async () => {
        for (;;) {
          const f = await toPhone.next();
          if (f === "closed") return pcSocket.destroy();
          pcSocket.write(encodeFrame(f));
        }
      };
      pcSocket.on("data", (d) => {
        for (const f of reader.push(new Uint8Array(d)))
          chain = chain.then(async () => {
            if (!first) return toPhone.send(f); // relay COMMIT / REVEAL
            first = false;
            // swap keys: the phone gets the MITM's HELLO, the PC gets another MITM HELLO
            toPhone.send((await asPc.start()).send[0]);
            await toPhone.next(); // the phone's HELLO, kept by the MITM
            pcSocket.write(encodeFrame((await asPhone.step(f)).send[0]));
            void relayPhone();
          });
      });
    });
    await new Promise<void>((r) => mitm.listen(0, "127.0.0.1", r));
    const e = await PcCardLink.connect("127.0.0.1", (mitm.address() as net.AddressInfo).port, {
      pairingCode: CODE,
    }).catch((x) => x);
    mitm.close();
    expect(e).toMatchObject({ kind: "pairing" });
    await waitFor(
      () => logLines(phone).filter((l) => l.msg === "pairing failed").length === failuresBefore + 1,
    );
    // the MITM's one connection to the phone ran no command, and opened no card session
    const mitmSession = lastSession(phone);
    expect(mitmSession).toBe(sessionBefore + 1);
    expect(await cardCommands(phone, mitmSession)).toBe(0);
    expect(
      logLines(phone).filter((l) => l.msg === "card session" && (l.session as number) > sessionBefore),
    ).toEqual([]);
    await (await PcCardLink.connect("127.0.0.1", port, { pairingCode: CODE })).close();
  });
});

describe("bonds through the phone's command line", () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [phoneCli, ...args], { encoding: "utf8" });
  const bondsListed = () =>
    cli("bonds", "--data", dataDir)
      .stdout.split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { bond: string; created: string; expires: string; expired: boolean });

  test("a pairing that bonds is listed by `set-phone bonds`, resumes without the code, and `unbond` revokes it", async () => {
    const first = await PcCardLink.connect("127.0.0.1", port, { pairingCode: CODE, keepBond: true });
    await first.close();
    const id = bondIdHex(first.bond!.bondId);
    const listed = bondsListed().find((b) => b.bond === id);
    expect(listed).toMatchObject({ expired: false });
    expect(Date.parse(listed!.expires) - Date.parse(listed!.created)).toBe(30 * 24 * 3600 * 1000);
    const file = path.join(dataDir, "bonds", `${id}.json`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const resumed = await PcCardLink.connect("127.0.0.1", port, { bond: first.bond });
    expect(resumed.mode).toBe("resumed");
    expect((await resumed.transmit({ ins: INS.SELECT, data: utf8("visa-approve") })).sw).toBe(SW.OK);
    await resumed.close();
    await waitFor(() => phone.stderr().includes("card link resumed"));

    const unbond = cli("unbond", "--data", dataDir, id);
    expect(unbond.status).toBe(0);
    expect(JSON.parse(unbond.stdout)).toEqual({ event: "unbonded", bonds: [id] });
    expect(bondsListed().some((b) => b.bond === id)).toBe(false);
    // the running phone refuses it from the next connection on, without a restart
    const e = await PcCardLink.connect("127.0.0.1", port, { bond: first.bond }).catch((x) => x);
    expect(e).toMatchObject({ kind: "unbonded" });
  });

  test("the bond outlives a restart of the phone; `unbond --all` revokes every bond", async () => {
    const c = await PcCardLink.connect("127.0.0.1", port, { pairingCode: CODE, keepBond: true });
    await c.close();
    await phone.stop();
    phone = await startParty(phoneCli, [
      "serve",
      "--data",
      dataDir,
      "--port",
      String(port),
      "--confirm",
      "auto",
      "--pairing-code",
      CODE,
    ]);
    const again = await PcCardLink.connect("127.0.0.1", port, { bond: c.bond });
    expect(again.mode).toBe("resumed");
    await again.close();
    const all = cli("unbond", "--data", dataDir, "--all");
    expect(all.status).toBe(0);
    expect(JSON.parse(all.stdout).bonds).toContain(bondIdHex(c.bond!.bondId));
    expect(bondsListed()).toEqual([]);
    expect(await PcCardLink.connect("127.0.0.1", port, { bond: c.bond }).catch((x) => x)).toMatchObject({
      kind: "unbonded",
    });
  });

  test("mistakes in the call exit 2; an unknown bond exits 1; --max-bonds 0 turns bonding off", async () => {
    for (const args of [
      ["unbond", "--data", dataDir],
      ["unbond", "--data", dataDir, "--all", "0123456789abcdef"],
      ["unbond", "--data", dataDir, "a", "b"],
    ]) {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/either --all or one BOND_ID/);
    }
    const unknown = cli("unbond", "--data", dataDir, "0123456789abcdef");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no bond 0123456789abcdef/);
    // `pair` needs the phone's data directory: none given is a mistake, one that is not there a failure.
    expect(cli("pair").status).toBe(2);
    expect(cli("pair", "--data", dataDir, "--all").status).toBe(2);
    const nowhere = cli("pair", "--data", path.join(dataDir, "none"));
    expect(nowhere.status).toBe(1);
    expect(nowhere.stderr).toMatch(/not a phone data directory/);
    for (const bad of [["--max-bonds=-1"], ["--max-bonds", "x"], ["--bond-lifetime", "0"]]) {
      const r = cli("serve", "--data", dataDir, ...bad);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/must be an integer/);
    }
    const off = await startParty(phoneCli, [
      "serve",
      "--data",
      dataDir,
      "--port",
      "0",
      "--confirm",
      "auto",
      "--pairing-code",
      CODE,
      "--max-bonds",
      "0",
    ]);
    try {
      const c = await PcCardLink.connect("127.0.0.1", portOf(off), { pairingCode: CODE, keepBond: true });
      await c.close();
      expect(c.bond).toBeUndefined();
      expect(off.stderr()).toContain("none (bonding off)");
    } finally {
      await off.stop();
    }
  });
});

describe("set-phone serve pairing options", () => {
  test("a code that is not 6 digits or a bad lockout is a mistake in the call (exit 2)", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [phoneCli, "serve", "--data", dataDir, ...args], { encoding: "utf8" });
    const short = run("--pairing-code", "12345");
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/--pairing-code must be 6 digits/);
    const lockout = run("--pairing-lockout=-5");
    expect(run("--pairing-lockout", "soon").stderr).toMatch(/--pairing-lockout must be milliseconds/);
    expect(lockout.status).toBe(2);
    expect(lockout.stderr).toMatch(/--pairing-lockout must be milliseconds/);
    const late = run("--confirm", "auto", "--confirm-after-ms", "60001");
    expect(late.status).toBe(2);
    expect(late.stderr).toMatch(/--confirm-after-ms must be an integer from 0 to 60000/);
    const prompted = run("--confirm", "prompt", "--confirm-after-ms", "500");
    expect(prompted.status).toBe(2);
    expect(prompted.stderr).toMatch(/--confirm-after-ms goes with --confirm auto or deny/);
  });
});

describe("failed-pairing limit and the random code", () => {
  let second: StartedParty;
  let secondPort: number;
  const shown: string[] = [];

  beforeAll(async () => {
    second = await startParty(phoneCli, [
      "serve",
      "--data",
      dataDir,
      "--port",
      "0",
      "--confirm",
      "auto",
      "--pairing-lockout",
      "600000",
    ]);
    secondPort = portOf(second);
    let out = "";
    second.child.stdout?.on("data", (d) => {
      out += d;
      const lines = out.split("\n");
      out = lines.pop() ?? "";
      for (const l of lines) {
        const m = JSON.parse(l) as { event?: string; code?: string };
        if (m.event === "pairing-code" && m.code) shown.push(m.code);
      }
    });
  }, 120_000);

  afterAll(async () => {
    await second?.stop();
  });

  let taken = 0;
  /** The next code the phone showed on its screen (the user reads it and types it on the PC). */
  const shownCode = async () => {
    await waitFor(() => shown.length > taken);
    return shown[taken++];
  };

  test("without --pairing-code, each connection gets a fresh code shown on the phone's screen", async () => {
    const a = await PcCardLink.connect("127.0.0.1", secondPort, { pairingCode: shownCode });
    expect((await a.transmit({ ins: INS.SELECT, data: utf8("visa-approve") })).sw).toBe(SW.OK);
    await a.close();
    const b = await PcCardLink.connect("127.0.0.1", secondPort, { pairingCode: shownCode });
    await b.close();
    expect(shown).toHaveLength(2);
    for (const c of shown) expect(c).toMatch(/^[0-9]{6}$/);
    expect(second.stderr()).not.toContain(shown[0]);
  });

  test("after 3 wrong codes in a row the phone refuses new pairings, even with the right code", async () => {
    for (let i = 0; i < 3; i++) {
      const e = await PcCardLink.connect("127.0.0.1", secondPort, {
        pairingCode: async () => {
          const real = await shownCode();
          return String((Number(real) + 1) % 1_000_000).padStart(6, "0");
        },
      }).catch((x) => x);
      expect(e).toMatchObject({ kind: "pairing" });
    }
    await waitFor(() => second.stderr().includes("3 wrong pairing codes in a row"));
    const before = shown.length;
    const locked = await PcCardLink.connect("127.0.0.1", secondPort, { pairingCode: shownCode }).catch(
      (x) => x,
    );
    expect(locked).toMatchObject({ link: "locked" });
    expect(shown).toHaveLength(before);
    expect(second.stderr()).toContain("pairing refused: too many wrong codes");
  });
});
