/**
 * The phone's pairing limits, in process over real TCP (an applet without cards: only the link is
 * under test): what counts as a failed pairing (a timeout, a PC that leaves in the middle) and
 * what does not (a connection that never sends a HELLO), and the configured limit.
 */
import * as net from "node:net";
import { encodeFrame, FrameReader, INS, nodeProvider, PcHandshake, SW } from "@setlab/protocol";
import {
  type PairingOptions,
  PcCardLink,
  type PhoneCardLink,
  startPhoneCardLink,
} from "@setlab/protocol/card-link";
import { CardApplet } from "../card/applet";
import { autoApprove } from "../card/confirmation";

const CODE = "112358";
const servers: PhoneCardLink[] = [];

async function phone(pairing: PairingOptions): Promise<number> {
  const applet = new CardApplet([], { p: nodeProvider(), confirm: autoApprove });
  const s = await startPhoneCardLink(applet, { pairing: { code: CODE, ...pairing } });
  servers.push(s);
  return s.port;
}

afterAll(async () => {
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

async function hello(): Promise<Uint8Array> {
  return (await new PcHandshake(globalThis.crypto, CODE).start()).send[0];
}

const lockedNow = (port: number) =>
  PcCardLink.connect("127.0.0.1", port, { pairingCode: CODE }).then(
    async (c) => {
      await c.close();
      return false;
    },
    (e) => (e as { link?: string }).link === "locked",
  );

describe("failed pairings", () => {
  test("a pairing that does not finish in time counts (limit 1: the next pairing is refused)", async () => {
    const port = await phone({ timeoutMs: 100, maxFailures: 1, lockoutMs: 600_000 });
    const answers = await exchange(port, [await hello()]);
    expect(answers).toHaveLength(1); // the phone's HELLO, then the close at the timeout
    expect(await lockedNow(port)).toBe(true);
  });

  test("a PC that leaves in the middle of the pairing counts", async () => {
    const port = await phone({ maxFailures: 1, lockoutMs: 600_000 });
    await exchange(port, [await hello()], true);
    for (let i = 0; i < 100 && !(await lockedNow(port)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await lockedNow(port)).toBe(true);
  });

  test("a connection that never sends a HELLO does not count", async () => {
    const port = await phone({ maxFailures: 1, lockoutMs: 600_000 });
    expect(await exchange(port, [Uint8Array.of(0x80, INS.GET_STATUS, 0, 0, 0, 0, 0, 0)])).toEqual([]);
    expect(await exchange(port, [Uint8Array.of(0x01, 2, 3)])).toEqual([]);
    const c = await PcCardLink.connect("127.0.0.1", port, { pairingCode: CODE });
    expect((await c.transmit({ ins: INS.SELECT, data: new TextEncoder().encode("none") })).sw).toBe(
      SW.NO_SUCH_CARD,
    );
    await c.close();
  });

  test("below the limit, pairings go on; a success resets the count", async () => {
    const port = await phone({ maxFailures: 2, lockoutMs: 600_000 });
    const wrong = () => PcCardLink.connect("127.0.0.1", port, { pairingCode: "112359" }).catch((e) => e);
    expect(await wrong()).toMatchObject({ kind: "pairing" });
    expect(await lockedNow(port)).toBe(false);
    expect(await wrong()).toMatchObject({ kind: "pairing" });
    expect(await lockedNow(port)).toBe(false);
    expect(await wrong()).toMatchObject({ kind: "pairing" });
    expect(await wrong()).toMatchObject({ kind: "pairing" });
    expect(await lockedNow(port)).toBe(true);
  });
});
