/**
 * A stranger on the same machine against the real phone process (`set-phone serve`), without the
 * code: the attacks that pinned the phone's memory and locked its owner out, and the proof that
 * they no longer do. The code reaches the phone in an owner-only file, as in the lab; the phone
 * renews it there after a wrong code, and its owner reopens a locked pairing with `set-phone pair`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { defaultProvider, encodeFrame, INS, PcHandshake, SW } from "@setlab/protocol";
import { PcCardLink } from "@setlab/protocol/card-link";
import { type StartedParty, startParty } from "@setlab/runtime";
import { personalizedPhone, phoneCli } from "./personalizedPhone.test-helper";

jest.setTimeout(120_000);

const CODE = "161803";

let tmp: string;
let phone: StartedParty;
let port: number;
let dataDir: string;
let codeFile: string;
/** The code the phone's file holds now: what the owner's PC reads. */
const currentCode = () => fs.readFileSync(codeFile, "utf8").trim();

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "setlab-flood-"));
  dataDir = personalizedPhone(tmp);
  codeFile = path.join(tmp, "code");
  fs.writeFileSync(codeFile, `${CODE}\n`, { mode: 0o600 });
  phone = await startParty(phoneCli, [
    "serve",
    "--data",
    dataDir,
    "--port",
    "0",
    "--confirm",
    "auto",
    "--pairing-code-file",
    codeFile,
    "--frame-timeout",
    "500",
  ]);
  port = Number(new URL(phone.url.replace("tcp:", "http:")).port);
}, 240_000);

afterAll(async () => {
  await phone?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The phone's peak resident memory so far, in bytes. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+([0-9]+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error("no VmHWM");
  return Number(m[1]) * 1024;
}

/** Open a connection, write `bytes`, and resolve when the phone closes it. */
function sendAndWaitClose(bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: "127.0.0.1", port }, () => socket.write(bytes));
    socket.resume();
    socket.on("error", () => {});
    socket.on("close", () => resolve());
  });
}

async function pairAndSelect(): Promise<number> {
  const link = await PcCardLink.connect("127.0.0.1", port, { pairingCode: currentCode() });
  try {
    return (await link.transmit({ ins: INS.SELECT, data: new TextEncoder().encode("visa-approve") })).sw;
  } finally {
    await link.close();
  }
}

const lengthPrefix = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

test("300 half-sent 1 MiB frames: each refused on its length prefix, the phone's memory does not grow with them", async () => {
  const before = peakRss(phone.pid);
  const half = new Uint8Array(4 + 512 * 1024);
  half.set(lengthPrefix(1024 * 1024));
  await Promise.all(Array.from({ length: 300 }, () => sendAndWaitClose(half)));
  const grown = peakRss(phone.pid) - before;
  // Buffered, they were 300 x 512 KiB = 150 MiB at least (about 360 MB measured before the limit).
  expect(grown).toBeLessThan(32 * 1024 * 1024);
  // The phone writes its line for the refusal after closing the socket: let the pipe catch up.
  for (let i = 0; i < 100 && !phone.stderr().includes("oversize frame"); i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(phone.stderr()).toContain("oversize frame");
  expect(await pairAndSelect()).toBe(SW.OK);
});

test("300 handshakes started and left half-sent: at most 64 held, each closed, and the owner pairs and resumes meanwhile", async () => {
  const bonded = await PcCardLink.connect("127.0.0.1", port, { pairingCode: CODE, keepBond: true });
  await bonded.close();
  const hello = encodeFrame((await new PcHandshake(defaultProvider, CODE).start()).send[0]);
  const closed = Array.from(
    { length: 300 },
    () =>
      new Promise<void>((resolve) => {
        const socket = net.createConnection({ host: "127.0.0.1", port }, () =>
          socket.write(hello.subarray(0, 20)),
        );
        socket.resume();
        socket.on("error", () => {});
        socket.on("close", () => resolve());
      }),
  );
  expect(await pairAndSelect()).toBe(SW.OK);
  const resumed = await PcCardLink.connect("127.0.0.1", port, { bond: bonded.bond! });
  expect(resumed.mode).toBe("resumed");
  await resumed.close();
  await Promise.all(closed);
  const log = phone.stderr();
  expect(log).toMatch(/displaced: 64 connections not yet paired or resumed/);
  expect(log).not.toMatch(/displaced: (6[5-9]|[7-9][0-9]|[0-9]{3}) connections/);
  expect(log).toContain("a frame not complete within 500 ms");
});

test("HELLO-and-hang-up floods do not lock the owner out; wrong codes lock pairing, spend the code, and the owner reopens it from the phone", async () => {
  // a connection that sends HELLO and closes its side: the phone answers, sees the end, and closes
  const helloAndLeave = (n: number) =>
    Promise.all(
      Array.from(
        { length: n },
        async () =>
          new Promise<void>((resolve) => {
            void new PcHandshake(defaultProvider, CODE).start().then(({ send }) => {
              const socket = net.createConnection({ host: "127.0.0.1", port }, () =>
                socket.end(encodeFrame(send[0])),
              );
              socket.resume(); // read the phone's answer and its close
              socket.on("error", () => {});
              socket.on("close", () => resolve());
            });
          }),
      ),
    );
  await helloAndLeave(30);
  expect(await pairAndSelect()).toBe(SW.OK);
  expect(phone.stderr()).not.toContain("wrong pairing codes in a row");
  for (let i = 0; i < 3; i++)
    expect(
      await PcCardLink.connect("127.0.0.1", port, { pairingCode: "000000" }).catch(
        (e) => (e as { kind: string }).kind,
      ),
    ).toBe("pairing");
  expect(await pairAndSelect().catch((e) => (e as { link?: string }).link)).toBe("locked");
  expect(phone.stderr()).toContain("3 wrong pairing codes in a row: new pairings refused for 30000 ms");
  // Each wrong code spent the code it tested: the file holds a fresh one, 0600, in no log line.
  const renewed = currentCode();
  expect(renewed).not.toBe(CODE);
  expect(renewed).toMatch(/^[0-9]{6}$/);
  expect(fs.statSync(codeFile).mode & 0o777).toBe(0o600);
  // The owner, at the phone, reopens pairing: no waiting out the lockout.
  const out = execFileSync(process.execPath, [phoneCli, "pair", "--data", dataDir], { encoding: "utf8" });
  expect(JSON.parse(out)).toMatchObject({ event: "pairing-reopen-requested" });
  expect(await pairAndSelect()).toBe(SW.OK);
  expect(phone.stderr()).toContain("pairing reopened by the owner: lockout ended");
  expect(phone.stderr()).not.toContain(renewed);
});
